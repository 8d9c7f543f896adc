import type { Migration } from 'kysely';
import { migrationsFor } from '../../sql/migrations.ts';
import { initial } from './0001_initial.ts';
import { agents } from './0002_agents.ts';
import { POSTGRES_TYPES } from './column-types.ts';

/** Every PostgreSQL migration by name, in order: the shared list with PostgreSQL's column types. */
export const postgresMigrations: Record<string, Migration> = migrationsFor(POSTGRES_TYPES, {
  backend: 'postgres',
  initial,
  agents,
});
