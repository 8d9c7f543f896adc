import type { CommandProcessRecord, CommandProcessRepo } from '../../core/ports/store.ts';
import { affected, type SqlContext } from './context.ts';
import type { CommandProcessTable } from './schema.ts';

const toRecord = (row: CommandProcessTable): CommandProcessRecord => ({
  jobstateId: row.jobstate_id,
  attempt: row.attempt,
  leaseOwner: row.lease_owner,
  hostname: row.hostname,
  bootId: row.boot_id,
  ownerPid: row.owner_pid,
  ownerStartTicks: row.owner_start_ticks,
  mark: row.mark,
  pgid: row.pgid,
  startTicks: row.start_ticks,
  createdAt: row.created_at,
});

export function commandProcessRepo(ctx: SqlContext): CommandProcessRepo {
  const { db } = ctx;
  return {
    async add(record) {
      await db
        .insertInto('command_processes')
        .values({
          jobstate_id: record.jobstateId,
          attempt: record.attempt,
          lease_owner: record.leaseOwner,
          hostname: record.hostname,
          boot_id: record.bootId,
          owner_pid: record.ownerPid,
          owner_start_ticks: record.ownerStartTicks,
          mark: record.mark,
          pgid: record.pgid,
          start_ticks: record.startTicks,
          created_at: record.createdAt,
        })
        .execute();
    },

    async setGroup(jobstateId, attempt, group) {
      const result = await db
        .updateTable('command_processes')
        .set({ pgid: group.pgid, start_ticks: group.startTicks })
        .where('jobstate_id', '=', jobstateId)
        .where('attempt', '=', attempt)
        .executeTakeFirst();
      return affected(result.numUpdatedRows) > 0;
    },

    async get(jobstateId, attempt) {
      const row = await db
        .selectFrom('command_processes')
        .selectAll()
        .where('jobstate_id', '=', jobstateId)
        .where('attempt', '=', attempt)
        .executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    async listOnHost(hostname) {
      const rows = await db
        .selectFrom('command_processes')
        .selectAll()
        .where('hostname', '=', hostname)
        .orderBy('created_at')
        .orderBy('jobstate_id')
        .execute();
      return rows.map(toRecord);
    },

    async remove(jobstateId, attempt) {
      await db
        .deleteFrom('command_processes')
        .where('jobstate_id', '=', jobstateId)
        .where('attempt', '=', attempt)
        .execute();
    },
  };
}
