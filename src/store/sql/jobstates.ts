import { moveJobstate } from '../../core/lifecycle.ts';
import { JOBSTATE_STATUSES } from '../../core/model.ts';
import type { JobstateCounts, JobstateRepo } from '../../core/ports/store.ts';
import { insertRows } from './bulk-insert.ts';
import { boundRow, boundSet, listShape, type Slots, Statement, setSlots } from './compiled.ts';
import { atomic, clampLimit, pageWindow, readWhole, type SqlContext, toPage, writing } from './context.ts';
import { jobstateClaims } from './jobstate-claims.ts';
import { literal, literals } from './literals.ts';
import { updateOwned } from './owned-updates.ts';
import { jobstatePatchRow } from './patches.ts';
import { jobstateRow, toJobstate } from './rows.ts';
import { listRunningOnAgents } from './running-on-agents.ts';

const byId = new Statement((db, p: Slots<{ id: string }>) =>
  db.selectFrom('jobstates').selectAll().where('id', '=', p('id')),
);

/** getMany(): shape, the id list's length (listShape). */
const byIds = new Statement((db, p: Slots<{ keys: string[] }>, shape) =>
  db
    .selectFrom('jobstates')
    .selectAll()
    .where('id', 'in', p.list('keys', Number(shape))),
);

type Fence = Parameters<JobstateRepo['update']>[2];

/** An update's fence as a shape: the status list's length, then a letter per condition present. */
function fenceShape(fence: Fence): string {
  if (fence === undefined) return '';
  return [
    fence.status === undefined ? '' : `s${listShape(fence.status.length)}`,
    fence.attempt === undefined ? '' : 'a',
    fence.leaseOwner === null ? 'n' : fence.leaseOwner === undefined ? '' : 'o',
    fence.leaseExpiredBefore === undefined ? '' : 'e',
    fence.eventSeq === undefined ? '' : 'q',
  ].join('');
}

type UpdateParams = {
  id: string;
  status: string[];
  attempt: number;
  leaseOwner: string;
  leaseExpiredBefore: number;
  eventSeq: number;
} & Record<string, unknown>;

/** update(): shape `<columns>|<fence shape>`. */
const fencedUpdate = new Statement((db, p: Slots<UpdateParams>, shape) => {
  const [columns = '', fence = ''] = shape.split('|');
  const statuses = /s(\d+)/.exec(fence)?.[1];
  return db
    .updateTable('jobstates')
    .set(setSlots(columns, p))
    .where('id', '=', p('id'))
    .$if(statuses !== undefined, (q) => q.where('status', 'in', p.list('status', Number(statuses))))
    .$if(fence.includes('a'), (q) => q.where('attempt', '=', p('attempt')))
    .$if(fence.includes('n'), (q) => q.where('lease_owner', 'is', null))
    .$if(fence.includes('o'), (q) => q.where('lease_owner', '=', p('leaseOwner')))
    .$if(fence.includes('e'), (q) => q.where('lease_expires_at', '<', p('leaseExpiredBefore')))
    .$if(fence.includes('q'), (q) => q.where('event_seq', '=', p('eventSeq')));
});

type ForAgentParams = { agentId: string; runId: string; limit: number };

/**
 * listForAgent(): shape `<statuses, joined by ",">|<runner or nothing>|i (run id)`; the
 * statuses and the runner are the callers' constants, written as literals (literals.ts).
 */
const forAgent = new Statement((db, p: Slots<ForAgentParams>, shape) => {
  const [statuses = '', runner = '', filters = ''] = shape.split('|');
  return db
    .selectFrom('jobstates')
    .selectAll()
    .where('agent_id', '=', p('agentId'))
    .where('status', 'in', literals(statuses.split(',')))
    .$if(runner !== '', (q) => q.where('runner', '=', literal(runner)))
    .$if(filters.includes('i'), (q) => q.where('run_id', '=', p('runId')))
    .orderBy('id')
    .limit(p('limit'));
});

type SeqParams = { id: string; attempt: number; from: number; to: number; at: number };

const advanceSeq = new Statement((db, p: Slots<SeqParams>) =>
  db
    .updateTable('jobstates')
    .set({ event_seq: p('to'), updated_at: p('at') })
    .where('id', '=', p('id'))
    .where('status', '=', 'running')
    .where('attempt', '=', p('attempt'))
    .where('event_seq', '=', p('from')),
);

type WakeParams = { now: number; reason: string; runId: string; jobIndex: number; orgId: string; module: string };

/** wake(): shape, a letter per filter present: r (run), j (job index), o (org), m (module). */
const wakeWaiting = new Statement((db, p: Slots<WakeParams>, shape) =>
  db
    .updateTable('jobstates')
    .set({ due_at: p('now'), updated_at: p('now') })
    .where('status', '=', literal('waiting'))
    .where((eb) => eb.or([eb('due_at', 'is', null), eb('due_at', '>', p('now'))]))
    .where('reason', '=', p('reason'))
    .$if(shape.includes('r'), (q) => q.where('run_id', '=', p('runId')))
    .$if(shape.includes('j'), (q) => q.where('job_index', '=', p('jobIndex')))
    .$if(shape.includes('o'), (q) => q.where('org_id', '=', p('orgId')))
    .$if(shape.includes('m'), (q) => q.where('module', '=', p('module'))),
);

/** A firing's one jobstate (a one-job task on the server): compiled once; shape: the row's columns. */
const insertOneJobstate = new Statement((db, p: Slots<Record<string, unknown>>, shape) =>
  db.insertInto('jobstates').values(setSlots(shape, p) as never),
);

export function jobstateRepo(ctx: SqlContext): JobstateRepo {
  const { db } = ctx;
  return {
    async insertMany(jobstates) {
      if (jobstates.length === 0) return;
      const [only] = jobstates;
      if (jobstates.length === 1 && only) {
        const { columns, values } = boundRow(jobstateRow(only));
        await writing(ctx, 'jobstate', () => insertOneJobstate.run(ctx, values, columns));
        return;
      }
      const bulk = { bulkRows: ctx.bulkRows, table: 'jobstates' as const, items: jobstates, toRow: jobstateRow };
      await writing(ctx, 'jobstate', () => atomic(ctx, (tx) => insertRows(tx, bulk)));
    },

    async get(id) {
      const row = await byId.first(ctx, { id });
      return row ? toJobstate(row) : null;
    },

    async getMany(ids) {
      return (await byIds.rowsOfKeys(ctx, ids)).map(toJobstate);
    },

    async listByRun(runId, page) {
      const { after, limit } = pageWindow(page);
      const rows = await db
        .selectFrom('jobstates')
        .selectAll()
        .where('run_id', '=', runId)
        .$if(after !== undefined, (q) => q.where('id', '>', after as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (row) => row.id, toJobstate);
    },

    async allOfRun(runId) {
      const rows = await db
        .selectFrom('jobstates')
        .selectAll()
        .where('run_id', '=', runId)
        .orderBy('job_index')
        .orderBy('id')
        .execute();
      return rows.map(toJobstate);
    },

    async update(id, patch, fence) {
      if (fence?.status?.length === 0) return false;
      const { columns, values } = boundSet(jobstatePatchRow(patch));
      const params = { ...fence, ...values, id } as UpdateParams;
      return (await fencedUpdate.changed(ctx, params, `${columns}|${fenceShape(fence)}`)) > 0;
    },

    updateOwned: (rows, status) => updateOwned(ctx, rows, status),

    /** Ending a jobstate also drops its lease, so a server executor still holding it loses its fence. */
    async endOpenOfRun(runId, status, reason, at) {
      const end = moveJobstate(status, {
        reason,
        finished_at: at,
        updated_at: at,
        lease_owner: null,
        lease_expires_at: null,
      });
      const rows = await db
        .updateTable('jobstates')
        .set(end.patch)
        .where('run_id', '=', runId)
        .where('status', 'in', literals(end.guard))
        .returning('id')
        .execute();
      return rows.map((row) => row.id).sort();
    },

    countsByRun(runId) {
      return countByStatus(ctx, { runId });
    },

    countByStatus(opts = {}) {
      return countByStatus(ctx, opts);
    },

    /**
     * Two locks, for two races. The (org, module) name lock makes two transactions that
     * check the same serial module take turns, so both cannot find it free and both
     * prepare a job. Busy rows are read one by one rather than counted, to share-lock them:
     * a serial job checked while the busy one ends on another connection would otherwise
     * be parked after that end's wake went by, and wait for its late recheck.
     */
    async countBusy(orgId, module) {
      if (db.isTransaction) await ctx.lockName?.(db, `taskwarden:busy:${orgId}:${module}`);
      const rows = await db
        .selectFrom('jobstates')
        .select('id')
        .where('org_id', '=', orgId)
        .where('module', '=', module)
        .where('status', 'in', literals(['prepared', 'running']))
        .$if(ctx.capabilities.rowLocks && db.isTransaction, (q) => q.forShare())
        .execute();
      return rows.length;
    },

    async getShared(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('jobstates')
        .selectAll()
        .where('id', 'in', ids)
        .orderBy('id')
        .$if(ctx.capabilities.rowLocks && db.isTransaction, (q) => q.forShare())
        .execute();
      return rows.map(toJobstate);
    },

    async listForAgent(agentId, filter, limit) {
      if (filter.statuses.length === 0) return [];
      const shape = `${filter.statuses.join(',')}|${filter.runner ?? ''}|${filter.runId === undefined ? '' : 'i'}`;
      const params = { agentId, runId: filter.runId ?? '', limit: clampLimit(limit) };
      return (await forAgent.rows(ctx, params, shape)).map(toJobstate);
    },

    listRunningOnAgents: (agentIds) => listRunningOnAgents(ctx, agentIds),

    async advanceEventSeq(id, attempt, from, to, at) {
      return (await advanceSeq.changed(ctx, { id, attempt, from, to, at })) > 0;
    },

    async wake(filter, now) {
      const shape = [
        filter.runId === undefined ? '' : 'r',
        filter.jobIndex === undefined ? '' : 'j',
        filter.orgId === undefined ? '' : 'o',
        filter.module === undefined ? '' : 'm',
      ].join('');
      return wakeWaiting.changed(ctx, { ...filter, now } as WakeParams, shape);
    },

    ...jobstateClaims(ctx),
  };
}

async function countByStatus(
  ctx: SqlContext,
  filter: { runId?: string; serverOnly?: boolean },
): Promise<JobstateCounts> {
  const query = ctx.db
    .selectFrom('jobstates')
    .select(['status', (eb) => eb.fn.countAll().as('n')])
    .$if(filter.runId !== undefined, (q) => q.where('run_id', '=', filter.runId as string))
    .$if(filter.serverOnly === true, (q) => q.where('runner', '=', literal('server')))
    .groupBy('status');
  // A run's jobstates are sought on its index; all of them is a walk of the whole table.
  const rows = filter.runId === undefined ? await readWhole(ctx, query) : await query.execute();
  const counts = Object.fromEntries(JOBSTATE_STATUSES.map((s) => [s, 0])) as JobstateCounts;
  for (const row of rows) counts[row.status as keyof JobstateCounts] = Number(row.n);
  return counts;
}
