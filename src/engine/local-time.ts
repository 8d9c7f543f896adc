// Schedules in each agent's local time (issue 15, `tz: "agent"`): the zones a task's
// targets are in, when a firing reaches each target, and the windows read in its zone.
import type { Jobstate, Run, Task } from '../core/model.ts';
import type { StoreSession } from '../core/ports/store.ts';
import { firingsAcrossZones, isAgentLocal, type ZonedFirings } from '../core/schedule/agent-local.ts';
import { type CompiledSchedule, compileSchedule } from '../core/schedule/index.ts';
import { jobDefOf } from '../core/sequencing.ts';
import type { EngineContext } from './context.ts';

/** The zone a target's wall times are read in: its agent's, else the schedule's fallbackTz. */
function fallbackOf(task: Task, defaultTz: string): string {
  return task.schedule.fallbackTz ?? defaultTz;
}

/**
 * The zones of a `tz: "agent"` task's targets as they are now (null for any other task):
 * each agent's zone, fallbackTz for the server and for agents that have none. Read when
 * the task's next firing is planned, so the trigger comes at the earliest of them.
 */
export async function targetZones(ctx: EngineContext, tx: StoreSession, task: Task): Promise<string[] | null> {
  if (!isAgentLocal(task.schedule)) return null;
  const targets = new Set<string | null>();
  for (const job of task.jobs) {
    for (const target of await ctx.targets.resolve(tx, task.orgId, job.targets)) targets.add(target);
  }
  const agentIds = [...targets].filter((t): t is string => t !== null);
  const known = await tx.agents.timezones(agentIds);
  const fallback = fallbackOf(task, ctx.options.defaultTz);
  const zones = new Set(agentIds.map((id) => known.get(id) ?? fallback));
  if (targets.has(null) || zones.size === 0) zones.add(fallback);
  return [...zones].sort();
}

/** `compiled` (the task's schedule, in its fallback zone) across `zones`. */
export function acrossZones(compiled: CompiledSchedule, zones: readonly string[]): CompiledSchedule {
  const firings = firingsAcrossZones(compiled, zones);
  return { ...compiled, next: (after) => firings.next(after) };
}

/** A run's jobstates asking when to start; `placed`: the run's jobstates already there (late joiners' fellow targets). */
export interface LocalStartQuery {
  task: Task;
  run: Run;
  jobstates: readonly Jobstate[];
  placed?: readonly Jobstate[];
  now: number;
}

/**
 * When each target's first job of a run fired by a `tz: "agent"` schedule may start: its
 * firing's wall time in the target's zone (plus the job's delay), for those it has not
 * reached yet; they wait with reason `local_time` until then. Empty for other runs (a run
 * started by hand starts now). The firing's wall time is read in the zones of all the
 * run's targets: the one that fired is among them.
 */
export async function localStarts(
  ctx: EngineContext,
  tx: StoreSession,
  query: LocalStartQuery,
): Promise<Map<string, number>> {
  const { task, run, jobstates, now } = query;
  const starts = new Map<string, number>();
  if (!isAgentLocal(task.schedule) || (run.reason !== 'schedule' && run.reason !== 'catch-up')) return starts;
  const firsts = new Map<string | null, Jobstate>();
  for (const js of jobstates) {
    const first = firsts.get(js.agentId);
    if (!first || js.jobIndex < first.jobIndex) firsts.set(js.agentId, js);
  }
  const fallback = fallbackOf(task, ctx.options.defaultTz);
  const targets = new Set([...firsts.keys(), ...(query.placed ?? []).map((js) => js.agentId)]);
  const known = await tx.agents.timezones([...targets].filter((id): id is string => id !== null));
  const zoneOf = (agentId: string | null) => (agentId === null ? fallback : (known.get(agentId) ?? fallback));
  const zones = new Set([...targets].map(zoneOf));
  const firings: ZonedFirings = firingsAcrossZones(compileSchedule(task.schedule, ctx.options.defaultTz), [...zones]);
  const wall = firings.wallOf(run.fireAt);
  if (wall === null) return starts;
  for (const [agentId, js] of firsts) {
    const at = firings.instantIn(zoneOf(agentId), wall);
    if (at > now) starts.set(js.id, at + (jobDefOf(task, js)?.delaySeconds ?? 0) * 1000);
  }
  return starts;
}

/**
 * The zone a jobstate's windows (timeslots, blackouts) are read in: its agent's for a
 * `tz: "agent"` task, the schedule's zone otherwise. Agents' zones are read once per
 * transaction, a run's agents at a time.
 */
export class WindowZones {
  private readonly known = new Map<string, string | null>();

  constructor(
    private readonly tx: StoreSession,
    private readonly defaultTz: string,
    private readonly runAgents: (runId: string) => Promise<Jobstate[]>,
  ) {}

  async of(task: Task, js: Pick<Jobstate, 'agentId' | 'runId'>): Promise<string> {
    const fallback = fallbackOf(task, this.defaultTz);
    if (!isAgentLocal(task.schedule)) return task.schedule.tz || this.defaultTz;
    if (js.agentId === null) return fallback;
    if (!this.known.has(js.agentId)) {
      const ids = new Set([js.agentId]);
      for (const other of await this.runAgents(js.runId)) if (other.agentId !== null) ids.add(other.agentId);
      const found = await this.tx.agents.timezones([...ids].filter((id) => !this.known.has(id)));
      for (const id of ids) if (!this.known.has(id)) this.known.set(id, found.get(id) ?? null);
    }
    return this.known.get(js.agentId) ?? fallback;
  }
}
