import type { Migration } from 'kysely';
import { initial } from './0001_initial.ts';

/** Every SQLite migration by name, in order. A static map: nothing is discovered by scanning folders. */
export const sqliteMigrations: Record<string, Migration> = {
  '0001_initial': initial,
};
