import { JOBSTATE_STATUSES, type Jobstate, type LogLine, type Run, type Task } from '../core/model.ts';
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
import { jobstateReasonWords, reasonWords, shownReason } from '../core/reason-words.ts';
import { runProgress } from '../core/sequencing.ts';
import type { CommandView } from '../protocol/commands.ts';
import type { JobstateView, LogLineView } from '../protocol/jobstates.ts';
import type { OrgView } from '../protocol/orgs.ts';
import type { RunView } from '../protocol/runs.ts';
import type { HistoryView, TaskView } from '../protocol/tasks.ts';
import type { TokenView, UserView } from '../protocol/users.ts';
import { loadRolloutView } from './rollout-view.ts';
import { historyDiffView, taskDefView } from './task-file-view.ts';

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
    diff: historyDiffView(entry.diff),
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
    statusReasonText: reasonWords(run.statusReason),
    createdAt: iso(run.createdAt),
    startedAt: isoOrNull(run.startedAt),
    finishedAt: isoOrNull(run.finishedAt),
    createdBy: run.createdBy,
    missed: run.missed && { count: run.missed.count, lastFireAt: iso(run.missed.lastFireAt) },
    completion: runProgress(counts).completion,
    counts,
  };
}

/**
 * `reason`: the reason to show (shownReason: a prepared job waiting on an overdue agent);
 * its words go in `reasonText`. Without it (events), shownReason without reading the agent.
 */
export function jobstateView(js: Jobstate, reason = shownReason(js, null, 0)): JobstateView {
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
    reasonText: jobstateReasonWords(reason, js),
    attempt: js.attempt,
    preparedAt: isoOrNull(js.preparedAt),
    dueAt: js.status === 'waiting' ? isoOrNull(js.dueAt) : null,
    startedAt: isoOrNull(js.startedAt),
    finishedAt: isoOrNull(js.finishedAt),
    result: js.result ?? null,
    progress: js.progress && { ...js.progress, at: iso(js.progress.at) },
    ...(js.wave === undefined ? {} : { wave: js.wave }),
  };
}

export function logLineView(line: LogLine & { attempt: number }): LogLineView {
  return { ts: iso(line.ts), stream: line.stream, line: line.line, attempt: line.attempt };
}

/** The reason each jobstate shows (shownReason), its agents read once each. */
export async function shownReasons(store: Store, jobstates: Jobstate[], now: number): Promise<(string | null)[]> {
  const waitingOn = new Set(jobstates.flatMap((js) => (js.status === 'prepared' && js.agentId ? [js.agentId] : [])));
  const agents = new Map(
    await Promise.all([...waitingOn].map(async (id) => [id, await store.agents.get(id)] as const)),
  );
  return jobstates.map((js) => shownReason(js, agents.get(js.agentId ?? '') ?? null, now));
}

export async function loadJobstateViews(store: Store, jobstates: Jobstate[], now: number): Promise<JobstateView[]> {
  const reasons = await shownReasons(store, jobstates, now);
  return jobstates.map((js, i) => jobstateView(js, reasons[i] ?? null));
}

/** A run with its jobstate counts (one grouped query). */
export async function loadRunView(store: Store, run: Run): Promise<RunView> {
  const view = runView(run, await store.jobstates.countsByRun(run.id));
  const rollout = await loadRolloutView(store, run);
  const late =
    run.joinUntil == null ? {} : { joinUntil: iso(run.joinUntil), joined: await store.lateJoin.joinedCount(run.id) };
  return rollout ? { ...view, ...late, rollout } : { ...view, ...late };
}
