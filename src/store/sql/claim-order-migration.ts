import type { Kysely, Migration } from 'kysely';

/**
 * Server claims take the earliest prepared jobstate first, and their pick is read in the
 * order of (status, runner, prepared_at, id): a claim costs the same with ten thousand
 * jobstates queued as with ten. The indexes it replaces made the pick sort the whole queue.
 */
export const claimOrder: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.dropIndex('jobstates_server_claim').ifExists().execute();
    await db.schema.dropIndex('jobstates_runner_claim').ifExists().execute();
    await db.schema
      .createIndex('jobstates_claim_order')
      .on('jobstates')
      .columns(['status', 'runner', 'prepared_at', 'id'])
      .execute();
  },
};
