import type { Agent, Run, Task } from './model.ts';

/**
 * "Why doesn't this task reach this agent?": for each job of a task, whether its targets
 * select the agent and, when not, which rule keeps it out — in words and a stable code,
 * from the records alone (no I/O), as diagnostics.ts does for jobs already handed out.
 */
export type ReachCode =
  | 'reaches'
  | 'server_job'
  | 'not_listed'
  | 'missing_tags'
  | 'agent_disabled'
  | 'other_org'
  | 'task_disabled'
  | 'not_active_yet'
  | 'no_longer_active'
  | 'enrolled_after_run';

export interface ReachLine {
  /** null: a line about the task as a whole (it applies to every job). */
  job: string | null;
  reaches: boolean;
  code: ReachCode;
  message: string;
}

export interface ReachInput {
  now: number;
  task: Pick<Task, 'orgId' | 'name' | 'enabled' | 'activeFrom' | 'activeTill' | 'jobs'>;
  agent: Pick<Agent, 'id' | 'orgId' | 'name' | 'tags' | 'enabled' | 'createdAt'>;
  /** The task's newest run that handed out jobs, and whether the agent got any of them. */
  lastRun: { run: Pick<Run, 'id' | 'createdAt' | 'status'>; agentHasJobs: boolean } | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Lines about the task and the agent as a whole first, then one per job. */
export function explainReach(input: ReachInput): ReachLine[] {
  const { task, agent } = input;
  const whole = (code: ReachCode, message: string): ReachLine => ({ job: null, reaches: false, code, message });
  if (task.orgId !== agent.orgId) {
    return [whole('other_org', `agent ${agent.name} is in another org than task ${task.name}: it never gets its jobs`)];
  }
  const lines: ReachLine[] = [];
  if (!agent.enabled) lines.push(whole('agent_disabled', `agent ${agent.name} is disabled: no job is handed to it`));
  if (!task.enabled) lines.push(whole('task_disabled', `task ${task.name} is disabled: it does not fire`));
  const active = activeWindow(input);
  if (active) lines.push(active);
  const jobs = task.jobs.map((job) => jobReach(job, agent));
  // Enrolled too late matters only for an agent the targets select.
  const late = jobs.some((line) => line.reaches) ? enrolledAfterRun(input) : null;
  if (late) lines.push(late);
  return [...lines, ...jobs];
}

function activeWindow({ now, task }: ReachInput): ReachLine | null {
  const from = task.activeFrom === null ? null : Date.parse(task.activeFrom);
  const till = task.activeTill === null ? null : Date.parse(task.activeTill);
  if (from !== null && now < from) {
    return { job: null, reaches: false, code: 'not_active_yet', message: `task is active from ${task.activeFrom}` };
  }
  if (till !== null && now >= till) {
    return { job: null, reaches: false, code: 'no_longer_active', message: `task was active until ${task.activeTill}` };
  }
  return null;
}

function enrolledAfterRun({ agent, lastRun }: ReachInput): ReachLine | null {
  if (!lastRun || lastRun.agentHasJobs || agent.createdAt <= lastRun.run.createdAt) return null;
  return {
    job: null,
    reaches: false,
    code: 'enrolled_after_run',
    message:
      `agent enrolled at ${iso(agent.createdAt)}, after run ${lastRun.run.id} started (${iso(lastRun.run.createdAt)}): ` +
      'a run hands out jobs to the agents its targets select when it starts; the next run includes it',
  };
}

function jobReach(job: Task['jobs'][number], agent: ReachInput['agent']): ReachLine {
  const line = (reaches: boolean, code: ReachCode, message: string): ReachLine => ({
    job: job.name,
    reaches,
    code,
    message,
  });
  const targets = job.targets;
  if ('server' in targets) return line(false, 'server_job', 'runs on the server, not on agents');
  if ('all' in targets) return line(true, 'reaches', 'targets every agent of the org');
  if ('agents' in targets) {
    return targets.agents.includes(agent.id)
      ? line(true, 'reaches', 'lists this agent')
      : line(false, 'not_listed', `lists ${targets.agents.length} other agent(s), not this one`);
  }
  const matching = targets.tags.filter((tag) => agent.tags.includes(tag));
  if (matching.length > 0) return line(true, 'reaches', `targets tag ${matching.join(', ')}, which the agent has`);
  const has = agent.tags.length > 0 ? `it has ${agent.tags.join(', ')}` : 'it has no tag';
  return line(false, 'missing_tags', `targets agents tagged ${targets.tags.join(' or ')}; ${has}`);
}
