import { notificationsMigration } from '../../sql/notifications-migration.ts';
import { POSTGRES_TYPES } from './column-types.ts';

/** SQLite's 0014 with PostgreSQL types. */
export const notifications = notificationsMigration(POSTGRES_TYPES);
