// Record builders for store tests: valid defaults, overridable field by field.
import { newId } from '../../src/core/ids.ts';
import type { Agent, EnrolmentToken, Jobstate, Run, Task } from '../../src/core/model.ts';
import type {
  ApiToken,
  CatalogCommand,
  HistoryEntry,
  LedgerEntry,
  NewRun,
  Org,
  Store,
  User,
} from '../../src/core/ports/store.ts';

export const T0 = Date.parse('2026-12-01T00:00:00Z');

export const makeOrg = (over: Partial<Org> = {}): Org => ({
  id: newId(),
  name: `org-${newId()}`,
  createdAt: T0,
  ...over,
});

export const makeUser = (orgId: string | null, over: Partial<User> = {}): User => ({
  id: newId(),
  orgId,
  name: `user-${newId()}`,
  role: 'operator',
  passwordHash: 'scrypt$abc',
  disabled: false,
  createdAt: T0,
  ...over,
});

export const makeToken = (userId: string, over: Partial<ApiToken> = {}): ApiToken => ({
  id: newId(),
  userId,
  name: 'ci',
  hash: `hash-${newId()}`,
  createdAt: T0,
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
  ...over,
});

export const makeCommand = (orgId: string | null, over: Partial<CatalogCommand> = {}): CatalogCommand => ({
  id: newId(),
  orgId,
  name: 'restart-spooler',
  description: 'Restarts the print spooler',
  argv: ['systemctl', 'restart', '{unit}'],
  params: { unit: { type: 'string' } },
  runsOn: 'agent',
  timeoutSeconds: 60,
  // Only the global admin writes global entries.
  definedByAdmin: orgId === null,
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

export const makeTask = (orgId: string, over: Partial<Task> = {}): Task => ({
  id: newId(),
  orgId,
  name: `task-${newId()}`,
  description: 'deploy office',
  enabled: true,
  mode: 'pull',
  fallback: 'pull',
  schedule: { kind: 'weekly', days: ['tue'], at: '02:00', tz: 'Europe/Paris' },
  timeslots: [{ day: 1, from: '01:00', to: '05:00' }],
  timeslotEnd: 'finish',
  blackouts: [{ from: '2026-12-24T00:00:00Z', to: '2026-12-27T00:00:00Z' }],
  activeFrom: null,
  activeTill: '2027-06-30T00:00:00Z',
  misfire: 'once',
  concurrency: 'forbid',
  expireAfterSeconds: 86400,
  jobs: [
    {
      name: 'deploy',
      module: 'deploy',
      params: { package: 'libreoffice' },
      targets: { tags: ['accounting'] },
      delaySeconds: 0,
      startIf: 'always',
      timeoutSeconds: 7200,
      retryAttempts: 2,
      retryBackoffSeconds: 60,
    },
  ],
  calendars: ['holidays'],
  version: 1,
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

export const makeRun = (task: Task, over: Partial<NewRun> = {}): NewRun => {
  const id = over.id ?? newId();
  return {
    id,
    orgId: task.orgId,
    taskId: task.id,
    taskVersion: task.version,
    reason: 'manual',
    fireAt: T0,
    startAt: T0,
    status: 'pending',
    statusReason: null,
    createdAt: T0,
    createdBy: null,
    fireKey: id,
    missed: null,
    joinUntil: null,
    ...over,
  };
};

export const makeJobstate = (run: Pick<Run, 'id' | 'orgId' | 'taskId'>, over: Partial<Jobstate> = {}): Jobstate => ({
  id: newId(),
  runId: run.id,
  orgId: run.orgId,
  taskId: run.taskId,
  jobIndex: 0,
  job: 'deploy',
  module: 'deploy',
  agentId: null,
  status: 'waiting',
  reason: null,
  attempt: 1,
  params: { package: 'libreoffice' },
  dueAt: null,
  windowClosesAt: null,
  timeoutSeconds: 7200,
  preparedAt: null,
  startedAt: null,
  finishedAt: null,
  leaseOwner: null,
  leaseExpiresAt: null,
  checkpoint: null,
  result: null,
  eventSeq: 0,
  progress: null,
  elapsedMs: 0,
  updatedAt: T0,
  ...over,
  runner: over.runner ?? (over.agentId ? 'agent' : 'server'),
});

/** An agent of `orgId` with valid defaults. */
export const makeAgent = (orgId: string, over: Partial<Agent> = {}): Agent => ({
  id: newId(),
  orgId,
  kind: 'taskwarden',
  deviceId: `device-${newId()}`,
  name: 'pc-01',
  tags: [],
  requestedTags: [],
  secretHash: `secret-${newId()}`,
  enabled: true,
  version: '1.0.0',
  modules: ['command'],
  wakeUrl: null,
  contactSeconds: 60,
  lastContactAt: null,
  lastWakeError: null,
  lastWakeErrorAt: null,
  reenrolUntil: null,
  enrolmentTokenId: null,
  timezone: null,
  timezoneOverride: null,
  createdAt: T0,
  ...over,
});

export const makeEnrolmentToken = (orgId: string, over: Partial<EnrolmentToken> = {}): EnrolmentToken => ({
  id: newId(),
  orgId,
  hash: `enrol-${newId()}`,
  tags: ['accounting'],
  usesLeft: 2,
  expiresAt: T0 + 3600_000,
  createdAt: T0,
  createdBy: null,
  revokedAt: null,
  ...over,
});

export const makeLedger = (over: Partial<LedgerEntry> = {}): LedgerEntry => ({
  taskId: newId(),
  job: 'deploy',
  target: 'server',
  runId: newId(),
  jobstateId: newId(),
  attempt: 1,
  status: 'finished',
  reason: null,
  result: { exit: 0 },
  at: T0,
  ...over,
});

export const makeHistory = (task: Task, over: Partial<HistoryEntry> = {}): HistoryEntry => ({
  id: newId(),
  taskId: task.id,
  orgId: task.orgId,
  actor: 'alice',
  action: 'update',
  diff: { enabled: [true, false] },
  at: T0,
  ...over,
});

/** An org with one task, stored. */
export async function seedTask(store: Store, over: Partial<Task> = {}): Promise<Task> {
  const org = await store.orgs.create(makeOrg());
  return store.tasks.create(makeTask(org.id, over));
}

/** An org, a task and one run of it, stored; returns the run as stored. */
export async function seedRun(store: Store, over: Partial<NewRun> = {}): Promise<Run> {
  const task = await seedTask(store);
  const run = makeRun(task, over);
  await store.runs.insert(run);
  const stored = await store.runs.get(run.id);
  if (!stored) throw new Error('seedRun: run not stored');
  return stored;
}
