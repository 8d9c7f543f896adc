import type { Migration } from 'kysely';
import { migrationsFor } from '../../sql/migrations.ts';
import { initial } from './0001_initial.ts';
import { agents } from './0002_agents.ts';

/** Every SQLite migration by name, in order: the shared list with SQLite's column types. */
export const sqliteMigrations: Record<string, Migration> = migrationsFor(
  { text: 'text', integer: 'integer' },
  { backend: 'sqlite', initial, agents },
);
