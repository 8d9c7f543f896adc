import { notificationsMigration } from '../../sql/notifications-migration.ts';

/** Channels, the notification queue, deliveries, task and org rules. */
export const notifications = notificationsMigration({ text: 'text', integer: 'integer' });
