import { sql } from 'kysely';
import { fleetMigration } from '../../sql/fleet-migration.ts';

/** SQLite's 0003 with PostgreSQL types: byte-ordered text (as in 0001) and bigint integers. */
export const fleet = fleetMigration({ text: sql`text collate "C"`, integer: 'bigint' });
