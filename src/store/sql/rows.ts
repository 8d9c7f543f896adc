import type { Insertable, Selectable } from 'kysely';
import type {
  Agent,
  AgentKind,
  EnrolmentToken,
  Jobstate,
  JobstateProgress,
  JobstateReason,
  JobstateRunner,
  JobstateStatus,
  LogLine,
  LogStream,
  Role,
  Run,
  RunReason,
  RunStatus,
  Task,
} from '../../core/model.ts';
import type {
  ApiToken,
  CatalogCommand,
  HistoryEntry,
  LedgerEntry,
  Org,
  Trigger,
  User,
} from '../../core/ports/store.ts';
import type { RolloutPlan } from '../../core/rollout.ts';
import type {
  AgentTable,
  ApiTokenTable,
  CommandTable,
  EnrolmentTokenTable,
  JobstateTable,
  LedgerTable,
  LogTable,
  OrgTable,
  RunTable,
  TaskHistoryTable,
  TaskTable,
  TriggerTable,
  UserTable,
} from './schema.ts';

/** JSON columns are text; SQL NULL stands for null/undefined so "no value" needs no parsing. */
export function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

export function fromJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

const toBool = (value: number): boolean => value !== 0;
const fromBool = (value: boolean): number => (value ? 1 : 0);

export const orgRow = (org: Org): Insertable<OrgTable> => ({ id: org.id, name: org.name, created_at: org.createdAt });
export const toOrg = (row: Selectable<OrgTable>): Org => ({ id: row.id, name: row.name, createdAt: row.created_at });

export const userRow = (user: User): UserTable => ({
  id: user.id,
  org_id: user.orgId,
  name: user.name,
  role: user.role,
  password_hash: user.passwordHash,
  disabled: fromBool(user.disabled),
  created_at: user.createdAt,
});

export const toUser = (row: Selectable<UserTable>): User => ({
  id: row.id,
  orgId: row.org_id,
  name: row.name,
  role: row.role as Role,
  passwordHash: row.password_hash,
  disabled: toBool(row.disabled),
  createdAt: row.created_at,
});

export const tokenRow = (token: ApiToken): ApiTokenTable => ({
  id: token.id,
  user_id: token.userId,
  name: token.name,
  hash: token.hash,
  created_at: token.createdAt,
  expires_at: token.expiresAt,
  revoked_at: token.revokedAt,
  last_used_at: token.lastUsedAt,
});

export const toToken = (row: Selectable<ApiTokenTable>): ApiToken => ({
  id: row.id,
  userId: row.user_id,
  name: row.name,
  hash: row.hash,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  lastUsedAt: row.last_used_at,
});

export const agentRow = (agent: Agent): AgentTable => ({
  id: agent.id,
  org_id: agent.orgId,
  kind: agent.kind,
  device_id: agent.deviceId,
  name: agent.name,
  tags: JSON.stringify(agent.tags),
  requested_tags: JSON.stringify(agent.requestedTags),
  secret_hash: agent.secretHash,
  enabled: fromBool(agent.enabled),
  version: agent.version,
  modules: JSON.stringify(agent.modules),
  wake_url: agent.wakeUrl,
  contact_seconds: agent.contactSeconds,
  last_contact_at: agent.lastContactAt,
  last_wake_error: agent.lastWakeError,
  last_wake_error_at: agent.lastWakeErrorAt,
  reenrol_until: agent.reenrolUntil,
  enrolment_token_id: agent.enrolmentTokenId,
  timezone: agent.timezone ?? null,
  timezone_override: agent.timezoneOverride ?? null,
  created_at: agent.createdAt,
});

export const toAgent = (row: Selectable<AgentTable>): Agent => ({
  id: row.id,
  orgId: row.org_id,
  kind: row.kind as AgentKind,
  deviceId: row.device_id,
  name: row.name,
  tags: JSON.parse(row.tags) as string[],
  requestedTags: JSON.parse(row.requested_tags) as string[],
  secretHash: row.secret_hash,
  enabled: toBool(row.enabled),
  version: row.version,
  modules: JSON.parse(row.modules) as string[],
  wakeUrl: row.wake_url,
  contactSeconds: row.contact_seconds,
  lastContactAt: row.last_contact_at,
  lastWakeError: row.last_wake_error,
  lastWakeErrorAt: row.last_wake_error_at,
  reenrolUntil: row.reenrol_until,
  enrolmentTokenId: row.enrolment_token_id,
  timezone: row.timezone,
  timezoneOverride: row.timezone_override,
  createdAt: row.created_at,
});

export const enrolmentTokenRow = (token: EnrolmentToken): EnrolmentTokenTable => ({
  id: token.id,
  org_id: token.orgId,
  hash: token.hash,
  tags: JSON.stringify(token.tags),
  uses_left: token.usesLeft,
  expires_at: token.expiresAt,
  created_at: token.createdAt,
  created_by: token.createdBy,
  revoked_at: token.revokedAt,
});

export const toEnrolmentToken = (row: Selectable<EnrolmentTokenTable>): EnrolmentToken => ({
  id: row.id,
  orgId: row.org_id,
  hash: row.hash,
  tags: JSON.parse(row.tags) as string[],
  usesLeft: row.uses_left,
  expiresAt: row.expires_at,
  createdAt: row.created_at,
  createdBy: row.created_by,
  revokedAt: row.revoked_at,
});

/** The value of commands.org_key for a command's org (see CommandTable). */
export const commandOrgKey = (orgId: string | null): string => orgId ?? '';

export const commandRow = (command: CatalogCommand): CommandTable => ({
  id: command.id,
  org_id: command.orgId,
  org_key: commandOrgKey(command.orgId),
  name: command.name,
  description: command.description,
  argv: JSON.stringify(command.argv),
  params: JSON.stringify(command.params),
  runs_on: command.runsOn,
  timeout_seconds: command.timeoutSeconds,
  defined_by_admin: command.definedByAdmin ? 1 : 0,
  created_at: command.createdAt,
  updated_at: command.updatedAt,
});

export const toCommand = (row: Selectable<CommandTable>): CatalogCommand => ({
  id: row.id,
  orgId: row.org_id,
  name: row.name,
  description: row.description,
  argv: JSON.parse(row.argv) as string[],
  params: JSON.parse(row.params) as CatalogCommand['params'],
  runsOn: row.runs_on as CatalogCommand['runsOn'],
  timeoutSeconds: row.timeout_seconds,
  definedByAdmin: row.defined_by_admin === 1,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const taskRow = (task: Task): TaskTable => ({
  id: task.id,
  org_id: task.orgId,
  name: task.name,
  description: task.description,
  enabled: fromBool(task.enabled),
  mode: task.mode,
  fallback: task.fallback,
  schedule: JSON.stringify(task.schedule),
  timeslots: JSON.stringify(task.timeslots),
  timeslot_end: task.timeslotEnd,
  blackouts: JSON.stringify(task.blackouts),
  active_from: task.activeFrom,
  active_till: task.activeTill,
  misfire: task.misfire,
  concurrency: task.concurrency,
  expire_after_seconds: task.expireAfterSeconds,
  jobs: JSON.stringify(task.jobs),
  notify: task.notify === undefined ? null : JSON.stringify(task.notify),
  rollout: task.rollout === undefined ? null : JSON.stringify(task.rollout),
  calendars: JSON.stringify(task.calendars ?? []),
  version: task.version,
  created_at: task.createdAt,
  updated_at: task.updatedAt,
});

export const toTask = (row: Selectable<TaskTable>): Task => ({
  id: row.id,
  orgId: row.org_id,
  name: row.name,
  description: row.description,
  enabled: toBool(row.enabled),
  mode: row.mode as Task['mode'],
  fallback: row.fallback as Task['fallback'],
  schedule: JSON.parse(row.schedule) as Task['schedule'],
  timeslots: JSON.parse(row.timeslots) as Task['timeslots'],
  timeslotEnd: row.timeslot_end as Task['timeslotEnd'],
  blackouts: JSON.parse(row.blackouts) as Task['blackouts'],
  activeFrom: row.active_from,
  activeTill: row.active_till,
  misfire: row.misfire as Task['misfire'],
  concurrency: row.concurrency as Task['concurrency'],
  expireAfterSeconds: row.expire_after_seconds,
  jobs: JSON.parse(row.jobs) as Task['jobs'],
  ...(row.notify === null ? {} : { notify: JSON.parse(row.notify) as Task['notify'] }),
  ...(row.rollout === null ? {} : { rollout: JSON.parse(row.rollout) as Task['rollout'] }),
  calendars: JSON.parse(row.calendars) as string[],
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const triggerRow = (trigger: Trigger): TriggerTable => ({
  task_id: trigger.taskId,
  org_id: trigger.orgId,
  next_fire_at: trigger.nextFireAt,
  task_version: trigger.taskVersion,
});

export const toTrigger = (row: Selectable<TriggerTable>): Trigger => ({
  taskId: row.task_id,
  orgId: row.org_id,
  nextFireAt: row.next_fire_at,
  taskVersion: row.task_version,
});

export const toRun = (row: Selectable<RunTable>): Run => ({
  id: row.id,
  orgId: row.org_id,
  taskId: row.task_id,
  taskVersion: row.task_version,
  reason: row.reason as RunReason,
  fireAt: row.fire_at,
  startAt: row.start_at,
  status: row.status as RunStatus,
  statusReason: row.status_reason,
  createdAt: row.created_at,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  createdBy: row.created_by,
  missed:
    row.missed_count === null || row.missed_last_fire_at === null
      ? null
      : { count: row.missed_count, lastFireAt: row.missed_last_fire_at },
  ...(row.rollout_plan === null
    ? {}
    : { rollout: { ...(JSON.parse(row.rollout_plan) as RolloutPlan), wave: Number(row.rollout_wave ?? 1) } }),
  joinUntil: row.join_until ?? null,
});

export const jobstateRow = (jobstate: Jobstate): JobstateTable => ({
  id: jobstate.id,
  run_id: jobstate.runId,
  org_id: jobstate.orgId,
  task_id: jobstate.taskId,
  job_index: jobstate.jobIndex,
  job: jobstate.job,
  module: jobstate.module,
  agent_id: jobstate.agentId,
  runner: jobstate.runner,
  status: jobstate.status,
  reason: jobstate.reason,
  attempt: jobstate.attempt,
  params: JSON.stringify(jobstate.params),
  due_at: jobstate.dueAt,
  window_closes_at: jobstate.windowClosesAt,
  timeout_seconds: jobstate.timeoutSeconds,
  prepared_at: jobstate.preparedAt,
  started_at: jobstate.startedAt,
  finished_at: jobstate.finishedAt,
  lease_owner: jobstate.leaseOwner,
  lease_expires_at: jobstate.leaseExpiresAt,
  checkpoint: toJson(jobstate.checkpoint),
  result: toJson(jobstate.result),
  event_seq: jobstate.eventSeq,
  progress: toJson(jobstate.progress),
  elapsed_ms: jobstate.elapsedMs,
  updated_at: jobstate.updatedAt,
  wave: jobstate.wave ?? null,
});

export const toJobstate = (row: Selectable<JobstateTable>): Jobstate => ({
  id: row.id,
  runId: row.run_id,
  orgId: row.org_id,
  taskId: row.task_id,
  jobIndex: row.job_index,
  job: row.job,
  module: row.module,
  agentId: row.agent_id,
  runner: row.runner as JobstateRunner,
  status: row.status as JobstateStatus,
  reason: row.reason as JobstateReason | null,
  attempt: row.attempt,
  params: JSON.parse(row.params) as Record<string, unknown>,
  dueAt: row.due_at,
  windowClosesAt: row.window_closes_at,
  timeoutSeconds: row.timeout_seconds,
  preparedAt: row.prepared_at,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  leaseOwner: row.lease_owner,
  leaseExpiresAt: row.lease_expires_at,
  checkpoint: fromJson(row.checkpoint),
  result: fromJson(row.result),
  eventSeq: row.event_seq,
  progress: fromJson(row.progress) as JobstateProgress | null,
  elapsedMs: Number(row.elapsed_ms),
  updatedAt: row.updated_at,
  ...(row.wave === null ? {} : { wave: Number(row.wave) }),
});

export const toLogLine = (row: Pick<Selectable<LogTable>, 'ts' | 'stream' | 'line' | 'attempt'>) => ({
  ts: row.ts,
  stream: row.stream as LogStream,
  line: row.line,
  attempt: row.attempt,
});

export const logRow = (jobstateId: string, attempt: number, line: LogLine) => ({
  jobstate_id: jobstateId,
  attempt,
  ts: line.ts,
  stream: line.stream,
  line: line.line,
});

export const ledgerRow = (entry: LedgerEntry): LedgerTable => ({
  task_id: entry.taskId,
  job: entry.job,
  target: entry.target,
  run_id: entry.runId,
  jobstate_id: entry.jobstateId,
  attempt: entry.attempt,
  status: entry.status,
  reason: entry.reason,
  result: toJson(entry.result),
  at: entry.at,
});

export const toLedger = (row: Selectable<LedgerTable>): LedgerEntry => ({
  taskId: row.task_id,
  job: row.job,
  target: row.target,
  runId: row.run_id,
  jobstateId: row.jobstate_id,
  attempt: row.attempt,
  status: row.status as JobstateStatus,
  reason: row.reason as JobstateReason | null,
  result: fromJson(row.result),
  at: row.at,
});

export const historyRow = (entry: HistoryEntry): TaskHistoryTable => ({
  id: entry.id,
  task_id: entry.taskId,
  org_id: entry.orgId,
  actor: entry.actor,
  action: entry.action,
  diff: toJson(entry.diff),
  at: entry.at,
});

export const toHistory = (row: Selectable<TaskHistoryTable>): HistoryEntry => ({
  id: row.id,
  taskId: row.task_id,
  orgId: row.org_id,
  actor: row.actor,
  action: row.action as HistoryEntry['action'],
  diff: fromJson(row.diff),
  at: row.at,
});
