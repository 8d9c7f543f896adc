import { timeslotEndMigration } from '../../sql/timeslot-end-migration.ts';

/** A task's timeslotEnd, and when a prepared jobstate's window closes. */
export const timeslotEnd = timeslotEndMigration({ text: 'text', integer: 'integer' });
