// JobstateRepo.listRunningOnAgents: the agent jobs each of a turn's contacts reconciles, read together.
import { sql } from 'kysely';
import type { RunningOnAgent } from '../../core/ports/store.ts';
import { typedArray } from './bulk-insert.ts';
import { type Slots, Statement } from './compiled.ts';
import type { SqlContext } from './context.ts';
import { literal } from './literals.ts';

const COLUMNS = ['agent_id', 'id', 'started_at', 'event_seq'] as const;

/**
 * The agent job columns reconcile compares, off the agent index, unsorted (a sort costs a
 * temporary tree); shape, the agent list's length (listShape). The agents come as a VALUES
 * list CROSS JOINed to the table: SQLite then seeks each agent in the agent index, where an
 * `agent_id IN (…)` led its planner (no statistics) to walk every running jobstate of the
 * status index instead.
 */
const byValues = new Statement((db, p: Slots<{ keys: string[] }>, shape) => {
  const rows = p.list('keys', Number(shape)).map((id) => sql`(${id})`);
  const wanted = sql<{ column1: string }>`(values ${sql.join(rows)})`.as('wanted');
  return db
    .selectFrom(wanted)
    .crossJoin('jobstates')
    .select(COLUMNS.map((column) => `jobstates.${column}` as const))
    .whereRef('jobstates.agent_id', '=', 'wanted.column1')
    .where('jobstates.status', '=', literal('running'))
    .where('jobstates.runner', '=', literal('agent'));
});

/**
 * Where LATERAL joins (PostgreSQL): each agent of the array seeks its own running jobstates in
 * `jobstates_agent_status` (agent_id, status), in a LATERAL subquery that OFFSET 0 keeps
 * from being flattened into a join. The status is stated as a range of one value, which
 * the index seeks as well as an equality but which does not make the partial index of
 * running jobstates (`status = 'running'`) usable: where the statistics saw few running,
 * PostgreSQL read that whole index for each call (a hash join; 3–5 ms a call of 100 agents
 * with 10,000 running, 5.7 ms on average in the fleet bench's statement log), or, flattened,
 * walked it for each agent. Seeking: 0.6 ms, whatever runs elsewhere.
 */
const byLateral = new Statement((db, p: Slots<{ keys: readonly string[] }>) => {
  const wanted = sql`unnest(${typedArray(p('keys'), 'text')})`.as<'wanted'>(sql`wanted(agent_id)`);
  return db
    .selectFrom(wanted)
    .innerJoinLateral(
      () =>
        db
          .selectFrom('jobstates')
          .select([...COLUMNS])
          .where(sql<boolean>`jobstates.agent_id = wanted.agent_id`)
          .where('status', '>=', literal('running'))
          .where('status', '<=', literal('running'))
          .where('runner', '=', literal('agent'))
          .offset(sql.lit(0))
          .as('mine'),
      (join) => join.onTrue(),
    )
    .select(COLUMNS.map((column) => `mine.${column}` as const));
});

/** Agents per statement of the VALUES form. */
const AGENTS_PER_READ = 100;

export async function listRunningOnAgents(
  ctx: SqlContext,
  agentIds: readonly string[],
): Promise<Map<string, RunningOnAgent[]>> {
  const byAgent = new Map<string, RunningOnAgent[]>(agentIds.map((id) => [id, []]));
  const rows = ctx.lateralJoins
    ? await byLateral.rows(ctx, { keys: agentIds })
    : await byValues.rowsOfKeys(ctx, agentIds, AGENTS_PER_READ);
  // A padded list repeats its last agent, and so its rows: each is taken once.
  const seen = new Set<string>();
  for (const row of rows) {
    if (seen.has(row.id)) continue;
    seen.add(row.id);
    byAgent.get(row.agent_id as string)?.push({ id: row.id, startedAt: row.started_at, eventSeq: row.event_seq });
  }
  return byAgent;
}
