import type {
  Agent,
  EnrolmentToken,
  Jobstate,
  JobstateReason,
  JobstateRunner,
  JobstateStatus,
  LogLine,
  NotifyRule,
  Role,
  Run,
  RunReason,
  RunStatus,
  TargetSpec,
  Task,
} from '../model.ts';
import type { CalendarRepo } from './calendars.ts';
import type { DeviceRepo, InventoryRepo, PackageRepo } from './fleet.ts';
import type { LateJoinRepo } from './late-join.ts';
import type { ChannelRepo, DeliveryRepo } from './notifications.ts';
import type { RolloutRepo } from './rollouts.ts';

/**
 * The only persistence port. The engine and the API talk to this; sqlite/ and postgres/
 * implement it and both pass test/store/conformance. Backend differences are the
 * capability flags below, never dialect checks in callers.
 */
export interface StoreCapabilities {
  /**
   * Reads in a transaction can lock their rows (kysely's forUpdate / forShare /
   * forNoKeyUpdate): two writers of one row take turns. Without it one writer at a time
   * holds the whole database (SQLite), which keeps them apart as well.
   */
  rowLocks: boolean;
  /** A locking read can pass over rows others hold (kysely's skipLocked): nodes claim concurrently. */
  skipLocked: boolean;
  /** Nodes can wake each other (LISTEN/NOTIFY). */
  notify: boolean;
  /** Several server processes may share this store. */
  multiNode: boolean;
}

export interface Page {
  /** Cursor returned as `next` by the previous page. */
  after?: string | undefined;
  /** Clamped to 1..1000 (so are the `limit`s of the batch methods). */
  limit: number;
}

export interface Paged<T> {
  items: T[];
  next: string | null;
}

export interface Org {
  id: string;
  name: string;
  createdAt: number;
}

export interface User {
  id: string;
  /** null for global admins. */
  orgId: string | null;
  name: string;
  role: Role;
  passwordHash: string | null;
  disabled: boolean;
  createdAt: number;
}

export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  /** SHA-256 hex of the secret; the secret itself is shown once and never stored. */
  hash: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface CatalogCommand {
  id: string;
  /** null = global command (admin-defined, visible to every org). */
  orgId: string | null;
  name: string;
  description: string;
  argv: string[];
  /** JSON schema of each `{param}`. */
  params: Record<string, Record<string, unknown>>;
  runsOn: 'server' | 'agent' | 'both';
  timeoutSeconds: number;
  /**
   * The global admin wrote this entry (every global one; an org's when the admin defined it
   * with `?org=`). Only such entries run on the server: see `mayRunOnServer` (core/catalog-authors.ts).
   */
  definedByAdmin: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface Trigger {
  taskId: string;
  orgId: string;
  nextFireAt: number;
  /** Task version the firing was computed for; a stale trigger is recomputed. */
  taskVersion: number;
}

export interface RunFilter {
  orgId?: string | undefined;
  taskId?: string | undefined;
  status?: RunStatus[] | undefined;
  /** since <= createdAt < until. */
  since?: number | undefined;
  until?: number | undefined;
}

export interface NewRun extends Omit<Run, 'startedAt' | 'finishedAt' | 'missed'> {
  /** Uniqueness key per task: the fire time for scheduled firings, the run id otherwise. */
  fireKey: string;
  /** A run inserted `running` (started as it was created); null or absent otherwise. */
  startedAt?: number | null;
  /** A `missed` run: the firings of the outage it records; null or absent otherwise. */
  missed?: Run['missed'];
}

export type JobstateCounts = Record<JobstateStatus, number>;

export type JobstatePatch = Partial<
  Pick<
    Jobstate,
    | 'status'
    | 'reason'
    | 'attempt'
    | 'params'
    | 'dueAt'
    | 'windowClosesAt'
    | 'preparedAt'
    | 'startedAt'
    | 'finishedAt'
    | 'leaseOwner'
    | 'leaseExpiresAt'
    | 'checkpoint'
    | 'result'
    | 'eventSeq'
    | 'progress'
    | 'elapsedMs'
  >
>;

/** Conditions an update must still meet; it changes nothing (returns false) otherwise. */
export interface JobstateFence {
  status?: JobstateStatus[];
  attempt?: number;
  leaseOwner?: string | null;
  /** Its lease still ended before this time: one its owner renewed meanwhile is not up for recovery. */
  leaseExpiredBefore?: number;
  /** Its agent has reported no event of the attempt yet (a claim whose reply may never have arrived). */
  eventSeq?: number;
}

export interface LedgerEntry {
  taskId: string;
  job: string;
  /** Agent id, or "server". */
  target: string;
  runId: string;
  jobstateId: string;
  /** The attempt that ended so; null for entries written before attempts were kept. */
  attempt: number | null;
  status: JobstateStatus;
  reason: JobstateReason | null;
  result: unknown;
  at: number;
}

/** Which ledger entries a listing shows; only entries of tasks that still exist are listed. */
export interface LedgerFilter {
  /** undefined = every org (the global admin's view). */
  orgId?: string | undefined;
  taskId?: string | undefined;
  job?: string | undefined;
  target?: string | undefined;
  status?: JobstateStatus | undefined;
}

/** A ledger entry as listed, with what a reader needs to name it. */
export interface LedgerListing extends LedgerEntry {
  orgId: string;
  taskName: string;
  /** The target agent's name; null for the server, or an agent since deleted. */
  agentName: string | null;
}

export interface HistoryEntry {
  id: string;
  taskId: string;
  orgId: string;
  actor: string | null;
  action: 'create' | 'update' | 'delete' | 'enable' | 'disable';
  diff: unknown;
  at: number;
}

export interface OrgRepo {
  create(org: Org): Promise<Org>;
  get(id: string): Promise<Org | null>;
  getByName(name: string): Promise<Org | null>;
  list(page: Page): Promise<Paged<Org>>;
  /** The org's settings (defaults for an org never configured); null for an unknown org. */
  settings(id: string): Promise<OrgSettings | null>;
  updateSettings(id: string, patch: Partial<OrgSettings>): Promise<void>;
  /** Records that the install was seeded with default `name`; false when it already was. */
  markSeeded(name: string, at: number): Promise<boolean>;
  seeded(name: string): Promise<boolean>;
}

/** What the global admin alone decides for an org, and (notify) what its org-admin does. */
export interface OrgSettings {
  /** Absolute, normalised folders deploy packages may extract to on agents (besides each agent's package root). */
  extractPrefixes: string[];
  /** Bytes the org's package files may take; null = the server's default. */
  packageQuota: number | null;
  /** Notification rules of the org's tasks that have none of their own (set by its org-admin). */
  notify: NotifyRule[];
  /** Its roles see the global tasks, read-only (set by its org-admin; off by default). */
  showGlobalTasks: boolean;
}

export interface UserRepo {
  create(user: User): Promise<User>;
  get(id: string): Promise<User | null>;
  /** User names are unique across the whole server (they log in by name). */
  getByName(name: string): Promise<User | null>;
  /** The org's users; orgId null = the global ones (no org). */
  list(orgId: string | null, page: Page): Promise<Paged<User>>;
  update(id: string, patch: Partial<Pick<User, 'role' | 'passwordHash' | 'disabled'>>): Promise<void>;
  count(): Promise<number>;
}

export interface TokenRepo {
  create(token: ApiToken): Promise<ApiToken>;
  findByHash(hash: string): Promise<ApiToken | null>;
  get(id: string): Promise<ApiToken | null>;
  listForUser(userId: string, page: Page): Promise<Paged<ApiToken>>;
  revoke(id: string, at: number): Promise<void>;
  touch(id: string, at: number): Promise<void>;
}

export interface CommandRepo {
  /** Inserts or replaces by (orgId, name). */
  upsert(command: CatalogCommand): Promise<CatalogCommand>;
  /** The org's command of that name, else the global one. */
  resolve(orgId: string, name: string): Promise<CatalogCommand | null>;
  /**
   * The command of that name the org's jobs may run on the server: the org's entry if the
   * global admin defined it to run there (runsOn server or both), else such a global one.
   * An org-admin's entry of the same name is never returned and shadows nothing here.
   */
  resolveForServer(orgId: string, name: string): Promise<CatalogCommand | null>;
  get(id: string): Promise<CatalogCommand | null>;
  /** The org's commands and the global ones; orgId null = global ones only. */
  list(orgId: string | null, page: Page): Promise<Paged<CatalogCommand>>;
  delete(id: string): Promise<void>;
}

export interface TaskRepo {
  /** Fails with `task_name_taken` when the org already has a task of that name. */
  create(task: Task): Promise<Task>;
  /**
   * Inserts all or none (a bulk load): fails with `task_name_taken`, details `{name}`, naming
   * the first of them whose org already has a task of that name (also, without details, when
   * the load holds one name twice).
   */
  createMany(tasks: readonly Task[]): Promise<void>;
  /** Writes `task` if the stored version is `task.version - 1`; false otherwise. */
  update(task: Task): Promise<boolean>;
  get(id: string): Promise<Task | null>;
  /** The tasks of these ids that exist, in no particular order (a firing batch reads its tasks at once). */
  getMany(ids: readonly string[]): Promise<Task[]>;
  getByName(orgId: string, name: string): Promise<Task | null>;
  /** `orgId` a list: the tasks of any of these orgs (an org's own and the global ones). */
  list(
    filter: { orgId?: string | readonly string[] | undefined; enabled?: boolean | undefined },
    page: Page,
  ): Promise<Paged<Task>>;
  /** Deletes the task with its trigger, runs, jobstates and logs (ledger and history stay). */
  delete(id: string): Promise<void>;
}

export interface TriggerRepo {
  set(trigger: Trigger): Promise<void>;
  setMany(triggers: readonly Trigger[]): Promise<void>;
  clear(taskId: string): Promise<void>;
  clearMany(taskIds: readonly string[]): Promise<void>;
  get(taskId: string): Promise<Trigger | null>;
  /** Due triggers (nextFireAt <= now), locked for this transaction; skips locked rows where supported. */
  claimDue(now: number, limit: number): Promise<Trigger[]>;
  /** Earliest nextFireAt of all triggers, for the scheduler's sleep. */
  nextFireAt(): Promise<number | null>;
}

export interface RunRepo {
  /** Inserts the run; returns false (and writes nothing) when (taskId, fireKey) exists. */
  insert(run: NewRun): Promise<boolean>;
  /** Inserts the runs, skipping those whose (taskId, fireKey) exists; returns how many it inserted. */
  insertMany(runs: readonly NewRun[]): Promise<number>;
  get(id: string): Promise<Run | null>;
  /** Applies `patch` if the run's status is one of `fromStatus` (when given); returns whether it did. */
  update(
    id: string,
    patch: Partial<Omit<Run, 'id' | 'missed' | 'rollout'>>,
    fromStatus?: RunStatus[],
  ): Promise<boolean>;
  /** Newest first (every other paged list is oldest first). */
  list(filter: RunFilter, page: Page): Promise<Paged<Run>>;
  /** Pending runs whose startAt <= now, oldest first. */
  listStartable(now: number, limit: number): Promise<Run[]>;
  /** Pending and running runs of a task, oldest first. */
  listActive(taskId: string): Promise<Run[]>;
  /** listActive of several tasks at once: pending and running runs of any of them, oldest first. */
  listActiveOf(taskIds: readonly string[]): Promise<Run[]>;
  /**
   * Ends a running run once none of its jobstates is open: `error` if one errored, else
   * `finished`, at `now`. Returns the ended run, or null (still open, or not running).
   * Safe against concurrent transactions ending its last jobstates at the same time.
   */
  completeIfDone(runId: string, now: number): Promise<Run | null>;
  /**
   * In a transaction, where rows lock: locks these runs' rows (in id order) until it ends,
   * so completeIfDone on them takes no lock of its own: a batch of jobstate ends locks its
   * runs with one statement, not one each. A no-op elsewhere.
   */
  holdForCompletion(runIds: readonly string[]): Promise<void>;
  /**
   * completeIfDone for many runs in one statement (holding them first, where rows lock):
   * the runs it ended, by id. A batch of jobstate ends closes its runs together.
   */
  completeManyIfDone(runIds: readonly string[], now: number): Promise<Run[]>;
  /** The task's most recent run (by fireAt), if any. */
  latest(taskId: string): Promise<Run | null>;
  /** Deletes up to `limit` of the org's terminal runs finished before `before` (with their jobstates and logs). */
  deleteFinishedBefore(orgId: string, before: number, limit: number): Promise<number>;
  /** How many runs are in each status, over every org (metrics gauges). */
  countByStatus(): Promise<Record<RunStatus, number>>;
}

export interface JobstateRepo {
  insertMany(jobstates: Jobstate[]): Promise<void>;
  get(id: string): Promise<Jobstate | null>;
  listByRun(runId: string, page: Page): Promise<Paged<Jobstate>>;
  /** Every jobstate of a run (for aggregation and sequencing; runs are bounded in size). */
  allOfRun(runId: string): Promise<Jobstate[]>;
  update(id: string, patch: JobstatePatch & { updatedAt: number }, fence?: JobstateFence): Promise<boolean>;
  /** Sets every non-terminal jobstate of a run to `status` with `reason`; returns their ids. */
  endOpenOfRun(runId: string, status: JobstateStatus, reason: JobstateReason, at: number): Promise<string[]>;
  countsByRun(runId: string): Promise<JobstateCounts>;
  /** How many jobstates are in each status, over every org; `serverOnly`: those the server runs (runner 'server'). */
  countByStatus(opts?: { serverOnly?: boolean }): Promise<JobstateCounts>;
  /** Waiting jobstates of running runs with dueAt <= now, oldest due first. */
  listDueWaiting(now: number, limit: number): Promise<Jobstate[]>;
  /**
   * Atomically moves up to `limit` prepared jobstates the server runs (runner 'server') to
   * running, leased to `owner` until `leaseUntil`, and returns them. Two claimers never get the same one.
   * Neither claim takes a jobstate whose window closed (windowClosesAt <= now).
   */
  claimServer(owner: string, now: number, leaseUntil: number, limit: number): Promise<Jobstate[]>;
  /**
   * Atomically moves up to `limit` of the agent's prepared jobstates (runner 'agent') to
   * running, earliest prepared first, with startedAt = now and eventSeq = 0, and returns
   * them, leaving out those in `skip`. Two concurrent claims (of this agent or of others)
   * never get the same one.
   */
  claimForAgent(agentId: string, now: number, limit: number, skip?: readonly string[]): Promise<Jobstate[]>;
  /** The agent's jobstates in one of `statuses` (optionally of one runner, of one run), oldest first. */
  listForAgent(
    agentId: string,
    filter: { statuses: readonly JobstateStatus[]; runner?: JobstateRunner; runId?: string },
    limit: number,
  ): Promise<Jobstate[]>;
  /**
   * Moves a running attempt's applied agent event seq from `from` to `to` (compare-and-set);
   * false when the jobstate is no longer running that attempt or another writer moved it first.
   */
  advanceEventSeq(id: string, attempt: number, from: number, to: number, at: number): Promise<boolean>;
  /** Extends the lease of jobstates still running under `owner`; returns the ids it extended. */
  renewLeases(owner: string, ids: string[], leaseUntil: number): Promise<string[]>;
  /**
   * Running agent jobstates (runner 'agent') whose startedAt + timeout <= now. Server
   * jobstates are not listed: the node running one measures its timeout itself.
   */
  listTimedOut(now: number, limit: number): Promise<Jobstate[]>;
  /**
   * Moves startedAt of running agent jobstates by `deltaMs`; returns how many. For a store
   * only one node uses (its clock is the database clock): when that clock jumps, their
   * deadlines keep their length.
   */
  shiftAgentStarts(deltaMs: number): Promise<number>;
  /** Running server jobstates whose lease expired before now. */
  listLeaseExpired(now: number, limit: number): Promise<Jobstate[]>;
  /** Prepared agent jobstates (runner 'agent') whose preparedAt + their task's expireAfter <= now. */
  listPreparedExpired(now: number, limit: number): Promise<Jobstate[]>;
  /**
   * Jobstates whose window closed (windowClosesAt <= now) that wait for the engine: the
   * prepared ones, and the running ones of tasks whose timeslotEnd is `cancel`. Earliest
   * first; in a transaction, locked for it where the backend can, skipping rows others hold.
   */
  listWindowClosed(now: number, limit: number): Promise<Jobstate[]>;
  /**
   * How many jobstates of `module` are prepared or running in the org. Inside a transaction,
   * where the backend has row locks, it share-locks them: a concurrent transaction ending one
   * of them is waited for (and its end seen), or waits for the caller's transaction. And two
   * transactions asking it for the same (org, module) take turns: the second asks once the
   * first ended, and counts what the first prepared.
   */
  countBusy(orgId: string, module: string): Promise<number>;
  /**
   * These jobstates as they are now. Inside a transaction, where the backend has row locks,
   * it share-locks them: a concurrent transaction ending one is waited for (and its end
   * seen), or waits for the caller's transaction to end first.
   */
  getShared(ids: readonly string[]): Promise<Jobstate[]>;
  /**
   * Earliest time something needs the engine: a waiting dueAt, a lease end, an agent
   * jobstate's startedAt + timeout + `agentGraceMs` (see listTimedOut), or a window close
   * (listWindowClosed's).
   */
  nextWakeAt(agentGraceMs?: number): Promise<number | null>;
  /**
   * Sets dueAt = now on waiting jobstates parked with `reason` (dueAt null or later than
   * now) that match the filter: the release of jobs waiting on a previous job or on a busy
   * module. Returns how many it woke.
   */
  wake(
    filter: { reason: JobstateReason; runId?: string; jobIndex?: number; orgId?: string; module?: string },
    now: number,
  ): Promise<number>;
}

export type AgentPatch = Partial<
  Pick<
    Agent,
    | 'kind'
    | 'name'
    | 'tags'
    | 'requestedTags'
    | 'secretHash'
    | 'enabled'
    | 'version'
    | 'modules'
    | 'wakeUrl'
    | 'contactSeconds'
    | 'lastContactAt'
    | 'lastWakeError'
    | 'lastWakeErrorAt'
    | 'reenrolUntil'
    | 'enrolmentTokenId'
    | 'timezone'
    | 'timezoneOverride'
  >
>;

export interface AgentFilter {
  orgId?: string | undefined;
  /** Agents having ANY of these tags. */
  tags?: string[] | undefined;
  enabled?: boolean | undefined;
}

/** The target specs that name agents; `{server: true}` is the engine's own business. */
export type AgentTargetSpec = Exclude<TargetSpec, { server: true }>;

export interface AgentRepo {
  /** Fails with `conflict` when the org already has an agent of that deviceId (or the secret hash is taken). */
  create(agent: Agent): Promise<Agent>;
  get(id: string): Promise<Agent | null>;
  getBySecretHash(hash: string): Promise<Agent | null>;
  getByDevice(orgId: string, deviceId: string): Promise<Agent | null>;
  /** Oldest first. */
  list(filter: AgentFilter, page: Page): Promise<Paged<Agent>>;
  /** Returns false when the agent does not exist. */
  update(id: string, patch: AgentPatch): Promise<boolean>;
  /**
   * Uses up the agent's re-enrolment leave: clears `reenrolUntil` if it is later than `now`,
   * in one conditional write, so of two enrolments racing for one leave only one gets true.
   */
  takeReenrolment(id: string, now: number): Promise<boolean>;
  /** Deletes the agent record (its jobstates stay, naming an agent that is gone). */
  delete(id: string): Promise<void>;
  /**
   * The ids of the org's enabled agents a job's targets name, sorted: the listed ones
   * (ids of other orgs or unknown ids are ignored), those with ANY of the tags, or all.
   */
  resolveTargets(orgId: string, spec: AgentTargetSpec): Promise<string[]>;
  /** Each listed agent's zone (the override, else the reported one); unknown ids and agents without one are left out. */
  timezones(ids: readonly string[]): Promise<Map<string, string>>;
}

export interface EnrolmentTokenRepo {
  create(token: EnrolmentToken): Promise<EnrolmentToken>;
  get(id: string): Promise<EnrolmentToken | null>;
  findByHash(hash: string): Promise<EnrolmentToken | null>;
  /**
   * Uses the token once, atomically: decrements usesLeft only while it is > 0, the token
   * has not expired (expiresAt > now) and is not revoked. False (and nothing changed) otherwise.
   */
  consume(id: string, now: number): Promise<boolean>;
  /** Oldest first; orgId undefined = every org. */
  list(orgId: string | undefined, page: Page): Promise<Paged<EnrolmentToken>>;
  /** Keeps the first revocation time. */
  revoke(id: string, at: number): Promise<void>;
}

export interface LogPage extends Paged<LogLine & { attempt: number }> {
  /**
   * Where this page ends: passed as `after`, it reads only the lines appended since, which
   * is how a live view follows a log. Unlike `next` it is set on the last page too; it is
   * null only when nothing has been read yet.
   */
  cursor: string | null;
}

export interface LogRepo {
  append(jobstateId: string, attempt: number, lines: LogLine[]): Promise<void>;
  /** Several appends in one write, in order. */
  appendMany(parts: readonly { jobstateId: string; attempt: number; lines: LogLine[] }[]): Promise<void>;
  /** Oldest line first. `after` is the `next` (or `cursor`) of a previous page. */
  list(jobstateId: string, page: Page): Promise<LogPage>;
  count(jobstateId: string): Promise<number>;
  /** Deletes up to `limit` log lines of the org's jobstates older than `before`; returns how many. */
  deleteBefore(orgId: string, before: number, limit: number): Promise<number>;
}

export interface LedgerRepo {
  /** Keeps, per (taskId, job, target), the entry with the latest `at`; an older one is ignored. */
  record(entry: LedgerEntry): Promise<void>;
  /** Records each entry as `record` would, in one write. */
  recordMany(entries: readonly LedgerEntry[]): Promise<void>;
  get(taskId: string, job: string, target: string): Promise<LedgerEntry | null>;
  listForTask(taskId: string): Promise<LedgerEntry[]>;
  /** Ordered by task, job and target; `after` is the `next` of the previous page. */
  list(filter: LedgerFilter, page: Page): Promise<Paged<LedgerListing>>;
}

export interface HistoryRepo {
  add(entry: HistoryEntry): Promise<void>;
  addMany(entries: readonly HistoryEntry[]): Promise<void>;
  list(taskId: string, page: Page): Promise<Paged<HistoryEntry>>;
}

/** A server process sharing the store, as it last said (GET /api/v1/nodes). */
export interface NodeRecord {
  /** The engine's node id (the prefix of its lease owners). */
  id: string;
  hostname: string;
  pid: number;
  version: string;
  startedAt: number;
  /** Its last heartbeat. */
  seenAt: number;
  /** Set when it shut down cleanly; null while it runs, or when it died. */
  stoppedAt: number | null;
  /**
   * How far its own clock was ahead of the database's (ms, negative: behind) at its last
   * heartbeat; null where the store has no clock of its own (one node, which is the clock).
   */
  clockOffsetMs: number | null;
}

export interface NodeRepo {
  /** Inserts the node, or updates it (hostname, pid, version, seenAt, clockOffsetMs; stoppedAt back to null). */
  heartbeat(node: Omit<NodeRecord, 'stoppedAt'>): Promise<void>;
  /** Every node, oldest start first. */
  list(): Promise<NodeRecord[]>;
  markStopped(id: string, at: number): Promise<void>;
  /** Forgets nodes whose last heartbeat is older than `before`; returns how many. */
  deleteSeenBefore(before: number): Promise<number>;
}

/**
 * A program a server job started, recorded before it counts as started (a row before the
 * spawn, its process group right after) so that a node restarted after a crash, on the same
 * machine, finds and kills what its dead predecessor left running before any retry.
 */
export interface CommandProcessRecord {
  jobstateId: string;
  attempt: number;
  /** The claim that started it (the jobstate's lease owner then). */
  leaseOwner: string;
  /** The machine: its hostname and the kernel's boot id (processes do not outlive a reboot). */
  hostname: string;
  bootId: string;
  /** The node process that started it: alive while a process with this pid and start time is. */
  ownerPid: number;
  ownerStartTicks: number;
  /** The value of the variable its environment carries, found in every process it started (unless cleared). */
  mark: string;
  /** Its process group (the leader's pid) and the leader's start time; null until spawned. */
  pgid: number | null;
  startTicks: number | null;
  createdAt: number;
}

export interface CommandProcessRepo {
  /** Records a program about to start; (jobstateId, attempt) is unique. */
  add(record: CommandProcessRecord): Promise<void>;
  /** Its process group started: false when the record is gone. */
  setGroup(jobstateId: string, attempt: number, group: { pgid: number; startTicks: number }): Promise<boolean>;
  get(jobstateId: string, attempt: number): Promise<CommandProcessRecord | null>;
  /** Every record of that machine's hostname, oldest first. */
  listOnHost(hostname: string): Promise<CommandProcessRecord[]>;
  remove(jobstateId: string, attempt: number): Promise<void>;
}

/** A caller's Idempotency-Key, kept with the run its first request started. */
export interface IdempotencyRecord {
  /** Whose key it is (a user id): keys of different callers never meet. */
  scope: string;
  key: string;
  /** What the key was first used for (method and path); another request with it is refused. */
  request: string;
  runId: string;
  createdAt: number;
}

export interface IdempotencyRepo {
  /**
   * Records the key, replacing a record of (scope, key) created before `liveSince`. Returns
   * false, writing nothing, when a live record holds the key — one committed meanwhile by
   * another transaction, on any node, too: the unique key decides, not an earlier read.
   */
  claim(record: IdempotencyRecord, liveSince: number): Promise<boolean>;
  /** The record of (scope, key) when it was created at or after `liveSince`. */
  get(scope: string, key: string, liveSince: number): Promise<IdempotencyRecord | null>;
  /** Forgets records created before `before`; returns how many. */
  deleteCreatedBefore(before: number): Promise<number>;
}

/** Everything a unit of work can touch; the same shape inside and outside a transaction. */
export interface StoreSession {
  readonly orgs: OrgRepo;
  readonly users: UserRepo;
  readonly tokens: TokenRepo;
  readonly agents: AgentRepo;
  readonly enrolmentTokens: EnrolmentTokenRepo;
  readonly commands: CommandRepo;
  readonly tasks: TaskRepo;
  readonly triggers: TriggerRepo;
  readonly runs: RunRepo;
  readonly jobstates: JobstateRepo;
  readonly logs: LogRepo;
  readonly ledger: LedgerRepo;
  readonly history: HistoryRepo;
  readonly inventories: InventoryRepo;
  readonly devices: DeviceRepo;
  readonly packages: PackageRepo;
  readonly nodes: NodeRepo;
  readonly idempotency: IdempotencyRepo;
  readonly commandProcesses: CommandProcessRepo;
  readonly channels: ChannelRepo;
  readonly deliveries: DeliveryRepo;
  readonly rollouts: RolloutRepo;
  readonly calendars: CalendarRepo;
  readonly lateJoin: LateJoinRepo;
}

/** Best-effort wake-ups between nodes sharing a store; a missed one costs a poll interval, nothing more. */
export interface StoreSignals {
  /** Delivers `payload` (under 8000 bytes) to every subscriber of `channel`, on every node, this one included. */
  publish(channel: string, payload: string): Promise<void>;
  /** Calls `fn` for each payload published on `channel` once its subscription is in place (ready); returns the unsubscribe. */
  subscribe(channel: string, fn: (payload: string) => void): () => void;
  /**
   * Resolves once every subscription made so far is in place (PostgreSQL: its LISTEN ran):
   * a payload published after that reaches it. Before, one may be lost, so a node awaits
   * this before it serves or claims.
   */
  ready(): Promise<void>;
}

export interface Store extends StoreSession {
  readonly capabilities: StoreCapabilities;
  /** Present only when `capabilities.notify`. */
  readonly signals?: StoreSignals;
  /**
   * The database's clock (epoch ms), where the backend has one of its own: nodes sharing a
   * store compare due times against it rather than against their own, possibly skewed, clocks.
   */
  dbNow?(): Promise<number>;
  /**
   * Rejects when the database cannot serve (health checks): it does not answer a trivial
   * query, or (SQLite) another process holds its write lock (`store_busy`).
   */
  ping(): Promise<void>;
  /**
   * Runs `fn` in one transaction: all of its writes land, or none. Transactions started
   * while one is in flight wait their turn where the backend serialises them (SQLite).
   * Inside `fn` use only `tx`: calling the store itself (or `transaction` again) there fails
   * with `internal`, as on SQLite it would wait for its own transaction forever.
   */
  transaction<T>(fn: (tx: StoreSession) => Promise<T>): Promise<T>;
  /** Brings the schema up to date; idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export type { RunReason };
