import { TaskwardenError } from '../../core/errors.ts';
import type { Run } from '../../core/model.ts';
import type { AgentPatch, JobstatePatch, User } from '../../core/ports/store.ts';
import { toJson } from './rows.ts';
import type { AgentTable, JobstateTable, RunTable, UserTable } from './schema.ts';

/** How a patchable record field is stored: its column, and how its value is encoded. */
type ColumnSpec<Row> = (keyof Row & string) | { column: keyof Row & string; encode: (value: never) => unknown };
type PatchColumns<P, Row> = { [K in keyof P]-?: ColumnSpec<Row> };

const json = <Row>(column: keyof Row & string) => ({ column, encode: (value: unknown) => toJson(value) });
const requiredJson = <Row>(column: keyof Row & string) => ({
  column,
  encode: (value: unknown) => JSON.stringify(value),
});

/**
 * Turns a record patch into the column values to set. Keys whose value is undefined are
 * left alone; a key that is not patchable (an id, a typo) is a bug in the caller, so it throws.
 */
function patchRow<P extends object, Row>(patch: P, columns: PatchColumns<P, Row>, what: string): Partial<Row> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const spec = (columns as Record<string, ColumnSpec<Row> | undefined>)[key];
    if (spec === undefined) throw new TaskwardenError('internal', `${what} field ${key} cannot be updated`);
    if (typeof spec === 'string') out[spec] = value;
    else out[spec.column] = (spec.encode as (v: unknown) => unknown)(value);
  }
  return out as Partial<Row>;
}

type UserPatch = Partial<Pick<User, 'role' | 'passwordHash' | 'disabled'>>;

const USER_COLUMNS: PatchColumns<UserPatch, UserTable> = {
  role: 'role',
  passwordHash: 'password_hash',
  disabled: { column: 'disabled', encode: (value: boolean) => (value ? 1 : 0) },
};

export const userPatchRow = (patch: UserPatch) => patchRow(patch, USER_COLUMNS, 'user');

type RunPatch = Partial<Omit<Run, 'id' | 'missed' | 'rollout'>>;

const RUN_COLUMNS: PatchColumns<RunPatch, RunTable> = {
  orgId: 'org_id',
  taskId: 'task_id',
  taskVersion: 'task_version',
  reason: 'reason',
  fireAt: 'fire_at',
  startAt: 'start_at',
  status: 'status',
  statusReason: 'status_reason',
  createdAt: 'created_at',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  createdBy: 'created_by',
  joinUntil: 'join_until',
};

export const runPatchRow = (patch: RunPatch) => patchRow(patch, RUN_COLUMNS, 'run');

type FullJobstatePatch = JobstatePatch & { updatedAt: number };

const JOBSTATE_COLUMNS: PatchColumns<FullJobstatePatch, JobstateTable> = {
  status: 'status',
  reason: 'reason',
  attempt: 'attempt',
  params: requiredJson<JobstateTable>('params'),
  dueAt: 'due_at',
  windowClosesAt: 'window_closes_at',
  preparedAt: 'prepared_at',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  leaseOwner: 'lease_owner',
  leaseExpiresAt: 'lease_expires_at',
  checkpoint: json<JobstateTable>('checkpoint'),
  result: json<JobstateTable>('result'),
  eventSeq: 'event_seq',
  progress: json<JobstateTable>('progress'),
  elapsedMs: 'elapsed_ms',
  updatedAt: 'updated_at',
};

export const jobstatePatchRow = (patch: FullJobstatePatch) => patchRow(patch, JOBSTATE_COLUMNS, 'jobstate');

const AGENT_COLUMNS: PatchColumns<AgentPatch, AgentTable> = {
  kind: 'kind',
  name: 'name',
  tags: requiredJson<AgentTable>('tags'),
  requestedTags: requiredJson<AgentTable>('requested_tags'),
  secretHash: 'secret_hash',
  enabled: { column: 'enabled', encode: (value: boolean) => (value ? 1 : 0) },
  version: 'version',
  modules: requiredJson<AgentTable>('modules'),
  wakeUrl: 'wake_url',
  contactSeconds: 'contact_seconds',
  lastContactAt: 'last_contact_at',
  lastWakeError: 'last_wake_error',
  lastWakeErrorAt: 'last_wake_error_at',
  reenrolUntil: 'reenrol_until',
  enrolmentTokenId: 'enrolment_token_id',
  timezone: 'timezone',
  timezoneOverride: 'timezone_override',
};

export const agentPatchRow = (patch: AgentPatch) => patchRow(patch, AGENT_COLUMNS, 'agent');
