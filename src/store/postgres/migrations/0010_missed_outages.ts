import { missedOutagesMigration } from '../../sql/missed-outages-migration.ts';
import { POSTGRES_TYPES } from './column-types.ts';

/** SQLite's 0010 with PostgreSQL types. */
export const missedOutages = missedOutagesMigration(POSTGRES_TYPES);
