// Late joiners (issue 15, part 3): a job's `targets.lateJoin` keeps its runs open that long
// for agents that match later (enrolled, tagged, or seen at their next contact).
import { formatDuration, parseDuration } from './duration.ts';
import { fieldPath, ValidationError } from './errors.ts';
import type { Agent, JobDef, Run, TargetSpec, Task } from './model.ts';

/** Longest a run may wait for late joiners. */
const MAX_LATE_JOIN_SECONDS = 90 * 24 * 3600;

/** A selector's `lateJoin`: a duration up to 90 days, never on `server`; kept as its canonical text ("7d"). */
export function parseLateJoin(value: unknown, targets: TargetSpec, field: string): string {
  const where = fieldPath(field, 'lateJoin');
  if ('server' in targets) throw new ValidationError(where, 'is for agent targets: the server never joins late');
  const seconds = parseDuration(value, where, { min: 1 });
  if (seconds > MAX_LATE_JOIN_SECONDS) throw new ValidationError(where, 'must be at most 90d');
  return formatDuration(seconds);
}

/** How long after its run started a job takes late joiners, in ms; 0 when it does not. */
export function lateJoinMs(job: JobDef): number {
  const { lateJoin } = job.targets;
  return lateJoin === undefined ? 0 : parseDuration(lateJoin, 'lateJoin') * 1000;
}

/** Until when a run starting at `startedAt` takes late joiners (its jobs' longest window); null when none does. */
export function joinWindowEnd(task: Task, startedAt: number): number | null {
  const longest = Math.max(0, ...task.jobs.map(lateJoinMs));
  return longest > 0 ? startedAt + longest : null;
}

/** Whether an (enabled) agent is one a job's targets select now: the run-time rule of resolveTargets, for one agent. */
export function selects(targets: TargetSpec, agent: Pick<Agent, 'id' | 'tags'>): boolean {
  if ('all' in targets) return true;
  if ('tags' in targets) return targets.tags.some((tag) => agent.tags.includes(tag));
  if ('agents' in targets) return targets.agents.includes(agent.id);
  return false;
}

/** The jobs of a run an agent joins now: those with lateJoin, still open at `now`, selecting it. */
export function jobsToJoin(
  task: Task,
  run: Pick<Run, 'startedAt'>,
  agent: Pick<Agent, 'id' | 'tags'>,
  now: number,
): number[] {
  if (run.startedAt === null) return [];
  const startedAt = run.startedAt;
  return task.jobs.flatMap((job, index) => {
    const window = lateJoinMs(job);
    return window > 0 && now < startedAt + window && selects(job.targets, agent) ? [index] : [];
  });
}
