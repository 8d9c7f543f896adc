import { moveJobstate, moveRun } from '../../core/lifecycle.ts';
import { TERMINAL_JOBSTATE_STATUSES } from '../../core/model.ts';
import type { RolloutRepo } from '../../core/ports/rollouts.ts';
import type { SqlContext } from './context.ts';
import { literal, literals } from './literals.ts';
import { toRun } from './rows.ts';

/** Agent ids per query: far below both backends' parameter limits. */
const ID_CHUNK = 500;

export function rolloutRepo(ctx: SqlContext): RolloutRepo {
  const { db } = ctx;
  return {
    async lockRun(runId) {
      const row = await db
        .selectFrom('runs')
        .selectAll()
        .where('id', '=', runId)
        .$if(ctx.capabilities.rowLocks && db.isTransaction, (q) => q.forUpdate())
        .executeTakeFirst();
      return row ? toRun(row) : null;
    },

    /** The plan as JSON, the open waves in their own column (openWave's compare-and-set). */
    async setPlan(runId, rollout) {
      const { wave, ...plan } = rollout;
      await db
        .updateTable('runs')
        .set({ rollout_plan: JSON.stringify(plan), rollout_wave: wave })
        .where('id', '=', runId)
        .execute();
    },

    async agentNames(orgId, ids) {
      const names = new Map<string, string>();
      for (let i = 0; i < ids.length; i += ID_CHUNK) {
        const rows = await db
          .selectFrom('agents')
          .select(['id', 'name'])
          .where('org_id', '=', orgId)
          .where('id', 'in', ids.slice(i, i + ID_CHUNK))
          .execute();
        for (const row of rows) names.set(row.id, row.name);
      }
      return names;
    },

    async openWave(runId, wave) {
      const result = await db
        .updateTable('runs')
        .set({ rollout_wave: wave })
        .where('id', '=', runId)
        .where('status', '=', 'running')
        .where('rollout_wave', '=', wave - 1)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async countOpen(runId, wave) {
      const row = await db
        .selectFrom('jobstates')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('run_id', '=', runId)
        .where('wave', '<=', wave)
        .where('status', 'not in', TERMINAL_JOBSTATE_STATUSES as string[])
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async tally(runId) {
      const rows = await db
        .selectFrom('jobstates')
        .select((eb) => [
          'wave',
          'agent_id',
          eb.fn
            .sum<number>(
              eb
                .case()
                .when('status', 'in', TERMINAL_JOBSTATE_STATUSES as string[])
                .then(0)
                .else(1)
                .end(),
            )
            .as('open'),
          eb.fn.sum<number>(eb.case().when('status', '=', 'error').then(1).else(0).end()).as('failed'),
          eb.fn.max('finished_at').as('last_finished_at'),
        ])
        .where('run_id', '=', runId)
        .where('wave', 'is not', null)
        .groupBy(['wave', 'agent_id'])
        .execute();
      return rows.map((row) => ({
        wave: Number(row.wave),
        agentId: row.agent_id,
        open: Number(row.open) > 0,
        failed: Number(row.failed) > 0,
        lastFinishedAt: row.last_finished_at === null ? null : Number(row.last_finished_at),
      }));
    },

    async release(runId, wave, dueAt, now) {
      const result = await db
        .updateTable('jobstates')
        .set({ due_at: dueAt, updated_at: now })
        .where('run_id', '=', runId)
        .where('wave', '=', wave)
        .where('status', '=', literal('waiting'))
        .where('reason', '=', 'rollout_wave')
        .where((eb) => eb.or([eb('due_at', 'is', null), eb('due_at', '>', dueAt)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async reopenHalted(runId, now) {
      const resumed = moveRun('running', { status_reason: null, finished_at: null }, ['error']);
      const result = await db
        .updateTable('runs')
        .set(resumed.patch)
        .where('id', '=', runId)
        .where('status', 'in', resumed.guard)
        .where('status_reason', '=', 'rollout_halted')
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      const back = moveJobstate(
        'waiting',
        { reason: 'rollout_wave', finished_at: null, due_at: null, updated_at: now },
        ['cancelled'],
      );
      await db
        .updateTable('jobstates')
        .set(back.patch)
        .where('run_id', '=', runId)
        .where('status', 'in', literals(back.guard))
        .where('reason', '=', 'rollout_halted')
        .execute();
      return true;
    },
  };
}
