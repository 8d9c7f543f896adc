import { nodesMigration } from '../../sql/nodes-migration.ts';
import { POSTGRES_TYPES } from './column-types.ts';

/** SQLite's 0004 with PostgreSQL types. */
export const nodes = nodesMigration(POSTGRES_TYPES);
