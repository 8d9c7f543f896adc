import { timeslotEndMigration } from '../../sql/timeslot-end-migration.ts';
import { POSTGRES_TYPES } from './column-types.ts';

/** SQLite's 0013 with PostgreSQL types. */
export const timeslotEnd = timeslotEndMigration(POSTGRES_TYPES);
