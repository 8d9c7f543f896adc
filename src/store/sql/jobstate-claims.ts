import { byId } from '../../core/ids.ts';
import type { Jobstate } from '../../core/model.ts';
import type { AgentClaimRequest, JobstateRepo } from '../../core/ports/store.ts';
import {
  type Claimer,
  type ClaimParams,
  claimInOne,
  pick,
  readPicked,
  setPicked,
  skipKey,
} from './claim-statements.ts';
import { listShape } from './compiled.ts';
import { atomic, clampLimit, type SqlContext } from './context.ts';
import { literal } from './literals.ts';
import { toJobstate } from './rows.ts';

type ClaimMethods = Pick<
  JobstateRepo,
  | 'listDueWaiting'
  | 'claimServer'
  | 'claimForAgents'
  | 'renewLeases'
  | 'listTimedOut'
  | 'shiftAgentStarts'
  | 'listLeaseExpired'
  | 'listPreparedExpired'
  | 'listWindowClosed'
  | 'nextWakeAt'
>;

/**
 * Bounds of one round of claimForAgents: agents, and skip pairs of them all. Where the lists
 * are bound one value a parameter (SQLite), they keep a statement's values far under its
 * limit (32,766). Where they travel as arrays (PostgreSQL: three parameters whatever their
 * length), the agents are not bounded: the rounds of a batch run one after the other in its
 * transaction, and a run's thousand woken agents, in two batches of 500, waited for four
 * claims of 256 (fleet bench, PostgreSQL, one run: start call → agent holds its job p50
 * 157–273 → 129–165 ms with one round per batch, bench/RESULTS.md). The skip pairs still
 * are: there every candidate row is compared with the whole skip array (`= any`).
 */
const LIST_ROUND_AGENTS = 256;
const ARRAY_ROUND_AGENTS = Number.POSITIVE_INFINITY;
const ROUND_SKIPS = 2048;

/** A request of claimForAgents and its place in the answer. */
type Numbered = { request: AgentClaimRequest; i: number };

/** The requests of one round of claimForAgents (distinct agents, at most `maxAgents`, ROUND_SKIPS), and those left for later. */
function splitRound(left: readonly Numbered[], maxAgents: number): { round: Map<string, Numbered>; later: Numbered[] } {
  const round = new Map<string, Numbered>();
  const later: Numbered[] = [];
  let skips = 0;
  for (const one of left) {
    const full = round.size > 0 && (round.size >= maxAgents || skips + one.request.skip.length > ROUND_SKIPS);
    if (full || round.has(one.request.agentId)) later.push(one);
    else {
      round.set(one.request.agentId, one);
      skips += one.request.skip.length;
    }
  }
  return { round, later };
}

/**
 * Whom the engine owes something once their window closed, in two halves read apart:
 * prepared jobstates (nobody may claim them now), and running ones whose task cancels
 * running work at the close. Each half seeks jobstates_window_close (status,
 * window_closes_at) on its status. Their OR in one statement made SQLite walk the whole
 * index, where every jobstate ever prepared in a window stays (one that finished keeps its
 * close), at each full pass of the engine's loop: 56 ms a pass at 200,000 of them (bench history).
 */
const CLOSE_HALVES = [
  { status: 'prepared', onlyWhereCancelled: false },
  { status: 'running', onlyWhereCancelled: true },
] as const;

const byCloseThenId = (a: Jobstate, b: Jobstate) => (a.windowClosesAt ?? 0) - (b.windowClosesAt ?? 0) || byId(a, b);

/** The time-driven queries of the jobstate repo: what is due, what to claim, what ran out of time. */
export function jobstateClaims(ctx: SqlContext): ClaimMethods {
  const { db, capabilities } = ctx;

  /**
   * Moves the prepared jobstates still inside their window at `now` picked by `claimer`
   * (claim-statements.ts: filters, order, what is set) to running, in one statement: the
   * pick locks its rows and skips those another claimer holds where the backend can
   * (PostgreSQL), SQLite's single writer keeps claimers apart otherwise. The pick is a
   * MATERIALIZED CTE, run once: as a plain `IN (subquery)`, PostgreSQL may rescan it per
   * row, and each SKIP LOCKED rescan picks other rows, so a claim of 3 could take 6. The
   * update finds the picked rows by id alone: they are still prepared (locked, or under the
   * single writer), and a status filter there would walk the whole queue. RETURNING gives
   * no order, so the rows are sorted by their prepared time.
   * Where RETURNING buffers its rows (SQLite), pickThenUpdate does it.
   */
  async function claim(claimer: Claimer, params: ClaimParams, shape: string): Promise<Jobstate[]> {
    const pickShape = `${claimer}|${shape}|${capabilities.skipLocked ? 'L' : ''}`;
    const rows = !ctx.returningBuffersRows
      ? await claimInOne.rows(ctx, params, pickShape)
      : await pickThenUpdate(claimer, params, pickShape);
    const at = (js: Jobstate) => js.preparedAt ?? 0;
    return rows.map(toJobstate).sort((a, b) => at(a) - at(b) || byId(a, b));
  }

  /**
   * The claim where RETURNING buffers its rows (SQLite): the pick, the update and the read
   * of the rows, in one transaction (the single writer keeps claimers apart). Its RETURNING
   * buffers its rows in a temporary table, which costs several times the three statements
   * together; and an empty pick (most contacts) ends before any transaction begins.
   */
  async function pickThenUpdate(claimer: Claimer, params: ClaimParams, pickShape: string) {
    if (!db.isTransaction && (await pick.rows(ctx, params, pickShape)).length === 0) return [];
    return atomic(ctx, async (tx) => {
      const session = { db: tx, compiled: ctx.compiled };
      const ids = (await pick.rows(session, params, pickShape)).map((row) => row.id);
      if (ids.length === 0) return [];
      const idsShape = listShape(ids.length);
      await setPicked.run(session, { ...params, ids }, `${claimer}|${idsShape}`);
      return readPicked.rows(session, { ids }, String(idsShape));
    });
  }

  /**
   * The claims of many agents in one statement set (one pick, one update, one read on
   * SQLite): each agent's first `capacity` by prepared time, its skip list its own. An agent
   * named twice goes in a later round, so each request gets its own share; so do those
   * past a round's bounds (splitRound), when there are many agents or they hold many jobs.
   */
  async function claimForAgents(requests: readonly AgentClaimRequest[], now: number): Promise<Jobstate[][]> {
    const answers: Jobstate[][] = requests.map(() => []);
    let left: Numbered[] = requests.flatMap((request, i) => (request.capacity > 0 ? [{ request, i }] : []));
    // Where rows lock, the lists travel as arrays (claim-statements.ts): one shape for any lengths.
    const asArrays = capabilities.skipLocked;
    const maxAgents = asArrays ? ARRAY_ROUND_AGENTS : LIST_ROUND_AGENTS;
    while (left.length > 0) {
      const { round, later } = splitRound(left, maxAgents);
      left = later;
      const members = [...round.values()];
      const agents = members.map(({ request }) => request.agentId);
      const caps = members.map(({ request }) => clampLimit(request.capacity));
      const skip = members.flatMap(({ request }) => request.skip.map((id) => skipKey(request.agentId, id)));
      const oneCap = caps.every((cap) => cap === caps[0]) ? 1 : 0;
      const lists = `${listShape(agents.length)}|${skip.length === 0 ? 0 : listShape(skip.length)}|${oneCap}`;
      const shape = asArrays ? 'arrays' : lists;
      const params = { now, agents, caps, skip, limit: 0, owner: '', leaseUntil: 0, ids: [] };
      const claimed = await claim('agent', params, shape);
      for (const js of claimed) answers[round.get(js.agentId as string)?.i as number]?.push(js);
    }
    return answers;
  }

  return {
    async listDueWaiting(now, limit) {
      const rows = await db
        .selectFrom('jobstates')
        .innerJoin('runs', 'runs.id', 'jobstates.run_id')
        .selectAll('jobstates')
        .where('jobstates.status', '=', literal('waiting'))
        .where('runs.status', '=', 'running')
        .where('jobstates.due_at', '<=', now)
        .orderBy('jobstates.due_at')
        .orderBy('jobstates.id')
        .limit(clampLimit(limit))
        // In a transaction, the rows listed are the caller's until it commits: other nodes skip them.
        .$if(capabilities.skipLocked && db.isTransaction, (q) => q.forUpdate(['jobstates']).skipLocked())
        .execute();
      return rows.map(toJobstate);
    },

    /** started_at keeps the first start, so a chunked job's timeout counts from when it really began. */
    claimServer(owner, now, leaseUntil, limit) {
      const params = { owner, now, leaseUntil, limit: clampLimit(limit), agents: [], caps: [], skip: [], ids: [] };
      return claim('server', params, '0');
    },

    claimForAgents,

    async renewLeases(owner, ids, leaseUntil) {
      if (ids.length === 0) return [];
      const rows = await db
        .updateTable('jobstates')
        .set({ lease_expires_at: leaseUntil })
        .where('id', 'in', ids)
        .where('status', '=', literal('running'))
        .where('lease_owner', '=', owner)
        .returning('id')
        .execute();
      return rows.map((row) => row.id).sort();
    },

    async listTimedOut(now, limit) {
      const rows = await db
        .selectFrom('jobstates')
        .selectAll()
        .where('status', '=', literal('running'))
        .where('runner', '=', literal('agent'))
        .where((eb) => eb(eb('started_at', '+', eb('timeout_seconds', '*', 1000)), '<=', now))
        .orderBy('started_at')
        .orderBy('id')
        .limit(clampLimit(limit))
        .execute();
      return rows.map(toJobstate);
    },

    async shiftAgentStarts(deltaMs) {
      const result = await db
        .updateTable('jobstates')
        .set((eb) => ({ started_at: eb('started_at', '+', deltaMs) }))
        .where('status', '=', literal('running'))
        .where('runner', '=', literal('agent'))
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async listLeaseExpired(now, limit) {
      const rows = await db
        .selectFrom('jobstates')
        .selectAll()
        .where('status', '=', literal('running'))
        .where('runner', '=', literal('server'))
        .where('lease_expires_at', '<', now)
        .orderBy('lease_expires_at')
        .orderBy('id')
        .limit(clampLimit(limit))
        .execute();
      return rows.map(toJobstate);
    },

    async listPreparedExpired(now, limit) {
      const rows = await db
        .selectFrom('jobstates')
        .innerJoin('tasks', 'tasks.id', 'jobstates.task_id')
        .selectAll('jobstates')
        .where('jobstates.status', '=', literal('prepared'))
        .where('jobstates.runner', '=', literal('agent'))
        // Changes no answer (the next line passes over nulls): states the expiry index's condition (0024).
        .where('jobstates.prepared_at', 'is not', null)
        .where((eb) => eb(eb('jobstates.prepared_at', '+', eb('tasks.expire_after_seconds', '*', 1000)), '<=', now))
        .orderBy('jobstates.prepared_at')
        .orderBy('jobstates.id')
        .limit(clampLimit(limit))
        .execute();
      return rows.map(toJobstate);
    },

    /**
     * The first `limit` of both halves (CLOSE_HALVES), in close order. In a transaction
     * where rows lock, a half's rows past them stay locked until it ends: the next pass takes them.
     */
    async listWindowClosed(now, limit) {
      const most = clampLimit(limit);
      const closed: Jobstate[] = [];
      for (const half of CLOSE_HALVES) {
        const rows = await db
          .selectFrom('jobstates')
          .innerJoin('tasks', 'tasks.id', 'jobstates.task_id')
          .selectAll('jobstates')
          .where('jobstates.status', '=', literal(half.status))
          .where('jobstates.window_closes_at', '<=', now)
          .$if(half.onlyWhereCancelled, (q) => q.where('tasks.timeslot_end', '=', 'cancel'))
          .orderBy('jobstates.window_closes_at')
          .orderBy('jobstates.id')
          .limit(most)
          // As listDueWaiting: in a transaction the rows are the caller's, other nodes skip them.
          .$if(capabilities.skipLocked && db.isTransaction, (q) => q.forUpdate(['jobstates']).skipLocked())
          .execute();
        closed.push(...rows.map(toJobstate));
      }
      return closed.sort(byCloseThenId).slice(0, most);
    },

    /** One statement of scalar subqueries, each answered off its own index: an idle loop's one read of them all. */
    async nextWakeAt(agentGraceMs = 0) {
      const row = await db
        .selectNoFrom((eb) => [
          eb
            .selectFrom('jobstates')
            .innerJoin('runs', 'runs.id', 'jobstates.run_id')
            .select((sub) => sub.fn.min('jobstates.due_at').as('at'))
            .where('jobstates.status', '=', literal('waiting'))
            .where('runs.status', '=', 'running')
            .as('due'),
          eb
            .selectFrom('jobstates')
            .select((sub) => sub.fn.min(sub('started_at', '+', sub('timeout_seconds', '*', 1000))).as('at'))
            .where('status', '=', literal('running'))
            .where('runner', '=', literal('agent'))
            .as('timeout'),
          eb
            .selectFrom('jobstates')
            .select((sub) => sub.fn.min('lease_expires_at').as('at'))
            .where('status', '=', literal('running'))
            // Changes no answer (min() passes over nulls): states the lease index's condition.
            .where('lease_expires_at', 'is not', null)
            .as('lease'),
          // The two halves of CLOSE_HALVES apart: prepared rows are read off the index alone.
          eb
            .selectFrom('jobstates')
            .select((sub) => sub.fn.min('window_closes_at').as('at'))
            .where('status', '=', literal('prepared'))
            .where('window_closes_at', 'is not', null)
            .as('preparedClose'),
          eb
            .selectFrom('jobstates')
            .innerJoin('tasks', 'tasks.id', 'jobstates.task_id')
            .select((sub) => sub.fn.min('jobstates.window_closes_at').as('at'))
            .where('jobstates.status', '=', literal('running'))
            .where('tasks.timeslot_end', '=', 'cancel')
            .as('runningClose'),
          // A prepared agent job whose agent never comes expires (listPreparedExpired).
          eb
            .selectFrom('jobstates')
            .innerJoin('tasks', 'tasks.id', 'jobstates.task_id')
            .select((sub) =>
              sub.fn.min(sub('jobstates.prepared_at', '+', sub('tasks.expire_after_seconds', '*', 1000))).as('at'),
            )
            .where('jobstates.status', '=', literal('prepared'))
            .where('jobstates.runner', '=', literal('agent'))
            // Changes no answer (min() passes over nulls): states the expiry index's condition (0024).
            .where('jobstates.prepared_at', 'is not', null)
            .as('expiry'),
        ])
        .executeTakeFirst();
      const timeoutAt = row?.timeout == null ? null : Number(row.timeout) + agentGraceMs;
      const times = [row?.due, timeoutAt, row?.lease, row?.preparedClose, row?.runningClose, row?.expiry]
        .filter((at) => at != null)
        .map(Number);
      return times.length === 0 ? null : Math.min(...times);
    },
  };
}
