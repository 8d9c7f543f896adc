import { formatDuration } from '../core/duration.ts';
import { JOBSTATE_STATUSES, type Jobstate, type LogLine, type Run, type Task, type TaskDef } from '../core/model.ts';
import type {
  ApiToken,
  CatalogCommand,
  HistoryEntry,
  JobstateCounts,
  NodeRecord,
  Org,
  Store,
  User,
} from '../core/ports/store.ts';
import { runProgress } from '../core/sequencing.ts';
import type { CommandView } from '../protocol/commands.ts';
import type { JobstateView, LogLineView } from '../protocol/jobstates.ts';
import type { OrgView } from '../protocol/orgs.ts';
import type { RunView } from '../protocol/runs.ts';
import type { HistoryView, TaskView } from '../protocol/tasks.ts';
import type { TokenView, UserView } from '../protocol/users.ts';

/** Records as the API shows them: epoch ms become ISO-8601 (UTC), secrets and hashes never leave. */
export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** A node not stopped and heard of within the lease time (past it, other nodes take its work over). */
export function isNodeAlive(node: NodeRecord, now: number, leaseMs: number): boolean {
  return node.stoppedAt === null && now - node.seenAt <= leaseMs;
}

export function orgView(org: Org): OrgView {
  return { id: org.id, name: org.name, createdAt: iso(org.createdAt) };
}

export function userView(user: User): UserView {
  return {
    id: user.id,
    orgId: user.orgId,
    name: user.name,
    role: user.role,
    disabled: user.disabled,
    hasPassword: user.passwordHash !== null,
    createdAt: iso(user.createdAt),
  };
}

export function tokenView(token: ApiToken): TokenView {
  return {
    id: token.id,
    userId: token.userId,
    name: token.name,
    createdAt: iso(token.createdAt),
    expiresAt: isoOrNull(token.expiresAt),
    revokedAt: isoOrNull(token.revokedAt),
    lastUsedAt: isoOrNull(token.lastUsedAt),
  };
}

export function commandView(command: CatalogCommand): CommandView {
  return { ...command, createdAt: iso(command.createdAt), updatedAt: iso(command.updatedAt) };
}

/** The definition in the shape it is written in, so what GET returns can be PUT back unchanged. */
function taskDefView(def: TaskDef): Omit<TaskView, 'id' | 'orgId' | 'version' | 'createdAt' | 'updatedAt'> {
  return {
    name: def.name,
    description: def.description,
    enabled: def.enabled,
    mode: def.mode,
    fallback: def.fallback,
    schedule: def.schedule as unknown as Record<string, unknown>,
    timeslots: def.timeslots,
    timeslotEnd: def.timeslotEnd,
    blackouts: def.blackouts,
    activeFrom: def.activeFrom,
    activeTill: def.activeTill,
    misfire: def.misfire,
    concurrency: def.concurrency,
    expireAfter: formatDuration(def.expireAfterSeconds),
    jobs: def.jobs.map((job) => ({
      name: job.name,
      module: job.module,
      params: job.params,
      targets: job.targets as unknown as Record<string, unknown>,
      delay: formatDuration(job.delaySeconds),
      startIf: job.startIf,
      timeout: formatDuration(job.timeoutSeconds),
      retry: { attempts: job.retryAttempts, backoff: formatDuration(job.retryBackoffSeconds) },
    })),
    ...(def.notify === undefined ? {} : { notify: def.notify }),
    calendars: def.calendars ?? [],
  };
}

export function taskView(task: Task): TaskView {
  return {
    id: task.id,
    orgId: task.orgId,
    version: task.version,
    createdAt: iso(task.createdAt),
    updatedAt: iso(task.updatedAt),
    ...taskDefView(task),
  };
}

export function historyView(entry: HistoryEntry): HistoryView {
  return {
    id: entry.id,
    taskId: entry.taskId,
    actor: entry.actor,
    action: entry.action,
    diff: entry.diff,
    at: iso(entry.at),
  };
}

export const emptyCounts = (): JobstateCounts =>
  Object.fromEntries(JOBSTATE_STATUSES.map((s) => [s, 0])) as JobstateCounts;

export function runView(run: Run, counts: JobstateCounts): RunView {
  return {
    id: run.id,
    taskId: run.taskId,
    orgId: run.orgId,
    reason: run.reason,
    fireAt: iso(run.fireAt),
    status: run.status,
    statusReason: run.statusReason,
    createdAt: iso(run.createdAt),
    startedAt: isoOrNull(run.startedAt),
    finishedAt: isoOrNull(run.finishedAt),
    createdBy: run.createdBy,
    missed: run.missed && { count: run.missed.count, lastFireAt: iso(run.missed.lastFireAt) },
    completion: runProgress(counts).completion,
    counts,
  };
}

export function jobstateView(js: Jobstate): JobstateView {
  return {
    id: js.id,
    runId: js.runId,
    taskId: js.taskId,
    job: js.job,
    jobIndex: js.jobIndex,
    module: js.module,
    agentId: js.agentId,
    status: js.status,
    reason: js.reason,
    attempt: js.attempt,
    startedAt: isoOrNull(js.startedAt),
    finishedAt: isoOrNull(js.finishedAt),
    result: js.result ?? null,
    progress: js.progress && { ...js.progress, at: iso(js.progress.at) },
  };
}

export function logLineView(line: LogLine & { attempt: number }): LogLineView {
  return { ts: iso(line.ts), stream: line.stream, line: line.line, attempt: line.attempt };
}

/** A run with its jobstate counts (one grouped query). */
export async function loadRunView(store: Store, run: Run): Promise<RunView> {
  const view = runView(run, await store.jobstates.countsByRun(run.id));
  if (run.joinUntil == null) return view;
  return { ...view, joinUntil: iso(run.joinUntil), joined: await store.lateJoin.joinedCount(run.id) };
}
