import { commandProcessesMigration } from '../../sql/command-processes-migration.ts';
import { POSTGRES_TYPES } from './column-types.ts';

/** SQLite's 0011 with PostgreSQL types. */
export const commandProcesses = commandProcessesMigration(POSTGRES_TYPES);
