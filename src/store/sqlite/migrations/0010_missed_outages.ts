import { missedOutagesMigration } from '../../sql/missed-outages-migration.ts';

/** One missed run per task per outage, with its count and last firing. */
export const missedOutages = missedOutagesMigration({ text: 'text', integer: 'integer' });
