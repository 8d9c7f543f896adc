import type { Generated } from 'kysely';
import type { FleetTables } from './fleet-schema.ts';
import type { NotifyTables } from './notify-schema.ts';

/**
 * The tables as kysely sees them, shared by every SQL store. Portable on purpose:
 * times are integer epoch ms, JSON is text, booleans are 0/1 integers. Row <-> record
 * mapping is in rows.ts. For PostgreSQL: make every integer column bigint (queries do ms
 * arithmetic such as started_at + timeout_seconds * 1000) and parse int8 as a number;
 * ids are compared as text for cursors, so use uuid columns or a "C" collation.
 */
export interface Database extends FleetTables, NotifyTables {
  orgs: OrgTable;
  users: UserTable;
  api_tokens: ApiTokenTable;
  agents: AgentTable;
  agent_tags: AgentTagTable;
  enrolment_tokens: EnrolmentTokenTable;
  commands: CommandTable;
  tasks: TaskTable;
  triggers: TriggerTable;
  runs: RunTable;
  jobstates: JobstateTable;
  logs: LogTable;
  ledger: LedgerTable;
  task_history: TaskHistoryTable;
  nodes: NodeTable;
  idempotency_keys: IdempotencyKeyTable;
  command_processes: CommandProcessTable;
  calendars: CalendarTable;
  seeded_defaults: SeededDefaultTable;
}

/** Shared calendars (0019_calendars). */
export interface CalendarTable {
  id: string;
  org_id: string | null;
  /** org_id, or '' for a global calendar (as commands.org_key). */
  org_key: string;
  name: string;
  /** JSON list of {from, to}. */
  blackouts: string;
  /** JSON list of "MM-DD". */
  yearly: string;
  created_at: number;
  updated_at: number;
}

/** Programs server jobs started, until they ended (0011_command_processes). */
export interface CommandProcessTable {
  jobstate_id: string;
  attempt: number;
  lease_owner: string;
  hostname: string;
  boot_id: string;
  owner_pid: number;
  owner_start_ticks: number;
  mark: string;
  pgid: number | null;
  start_ticks: number | null;
  created_at: number;
}

/** Idempotency keys of run starts (0008_idempotency). */
export interface IdempotencyKeyTable {
  scope: string;
  key: string;
  request: string;
  run_id: string;
  created_at: number;
}

/** Server processes sharing the store (0004_nodes). */
export interface NodeTable {
  id: string;
  hostname: string;
  pid: number;
  version: string;
  started_at: number;
  seen_at: number;
  stopped_at: number | null;
  /** 0015_node_clock */
  clock_offset_ms: number | null;
}

export interface OrgTable {
  id: string;
  name: string;
  created_at: number;
  /** JSON list of folders; '[]' on insert. */
  extract_prefixes: Generated<string>;
  /** Bytes; NULL = the server's default. */
  package_quota: Generated<number | null>;
  /** JSON list of notification rules (0014); '[]' on insert. */
  notify_defaults: Generated<string>;
  /** 0/1: its roles see the global tasks, read-only (0021). */
  show_global_tasks: Generated<number>;
}

/** What a fresh install was seeded with, once (0021): a default deleted later stays deleted. */
export interface SeededDefaultTable {
  name: string;
  seeded_at: number;
}

export interface UserTable {
  id: string;
  org_id: string | null;
  name: string;
  role: string;
  password_hash: string | null;
  disabled: number;
  created_at: number;
}

export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  hash: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface AgentTable {
  id: string;
  org_id: string;
  kind: string;
  device_id: string;
  name: string;
  /** JSON list; agent_tags repeats it one row per tag, for the tag queries. */
  tags: string;
  /** JSON list (0006). */
  requested_tags: string;
  secret_hash: string;
  enabled: number;
  version: string | null;
  modules: string;
  wake_url: string | null;
  contact_seconds: number;
  last_contact_at: number | null;
  last_wake_error: string | null;
  last_wake_error_at: number | null;
  reenrol_until: number | null;
  enrolment_token_id: string | null;
  /** 0016: reported IANA zone, and an administrator's override of it. */
  timezone: string | null;
  timezone_override: string | null;
  created_at: number;
}

/** One row per (agent, tag): an index of agents.tags that both SQL dialects query alike. */
export interface AgentTagTable {
  agent_id: string;
  org_id: string;
  tag: string;
}

export interface EnrolmentTokenTable {
  id: string;
  org_id: string;
  hash: string;
  tags: string;
  uses_left: number;
  expires_at: number;
  created_at: number;
  created_by: string | null;
  revoked_at: number | null;
}

export interface CommandTable {
  id: string;
  org_id: string | null;
  /** org_id, or '' for a global command: UNIQUE treats NULLs as distinct, so (org_id, name) could not be unique. */
  org_key: string;
  name: string;
  description: string;
  argv: string;
  params: string;
  runs_on: string;
  timeout_seconds: number;
  /** 0/1, since 0006_catalog_security (default 0: an org's older row is not trusted on the server). */
  defined_by_admin: number;
  created_at: number;
  updated_at: number;
}

export interface TaskTable {
  id: string;
  org_id: string;
  name: string;
  description: string;
  enabled: number;
  mode: string;
  fallback: string;
  schedule: string;
  timeslots: string;
  /** 0013_timeslot_end: finish | cancel | pause. */
  timeslot_end: string;
  blackouts: string;
  active_from: string | null;
  active_till: string | null;
  misfire: string;
  concurrency: string;
  expire_after_seconds: number;
  jobs: string;
  /** JSON list of notification rules (0014); NULL = the org's defaults. */
  notify: string | null;
  /** JSON rollout definition (0017_rollouts); NULL = none. */
  rollout: string | null;
  /** JSON list of calendar names (0019_calendars). */
  calendars: string;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface TriggerTable {
  task_id: string;
  org_id: string;
  next_fire_at: number;
  task_version: number;
}

export interface RunTable {
  id: string;
  org_id: string;
  task_id: string;
  task_version: number;
  reason: string;
  fire_key: string;
  fire_at: number;
  start_at: number;
  status: string;
  status_reason: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  created_by: string | null;
  /** 0010_missed_outages: on a missed run, how many firings it records and the last one. */
  missed_count: number | null;
  missed_last_fire_at: number | null;
  /** 0017_rollouts: the JSON plan of a staged rollout (reach, pause, maxFailures) and its open waves. */
  rollout_plan: string | null;
  rollout_wave: number | null;
  /** 0018_late_join: until when agents matching later join the run (null: never). */
  join_until?: number | null;
  /** 1 while the run waits for late joiners (it does not end before its window closed). */
  join_open?: number;
}

export interface JobstateTable {
  /** 0018_late_join: 1 for a late joiner's jobstate (what monitoring counts as joined). */
  late_join?: number;
  id: string;
  run_id: string;
  org_id: string;
  task_id: string;
  job_index: number;
  job: string;
  module: string;
  agent_id: string | null;
  runner: string;
  status: string;
  reason: string | null;
  attempt: number;
  params: string;
  due_at: number | null;
  /** 0013_timeslot_end: when the window it was prepared in closes; null = never. */
  window_closes_at: number | null;
  timeout_seconds: number;
  prepared_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  checkpoint: string | null;
  result: string | null;
  event_seq: number;
  progress: string | null;
  elapsed_ms: number;
  updated_at: number;
  /** 0017_rollouts: its target's wave in a staged rollout. */
  wave: number | null;
}

export interface LogTable {
  id: Generated<number>;
  jobstate_id: string;
  attempt: number;
  ts: number;
  stream: string;
  line: string;
}

export interface LedgerTable {
  task_id: string;
  job: string;
  target: string;
  run_id: string;
  jobstate_id: string;
  attempt: number | null;
  status: string;
  reason: string | null;
  result: string | null;
  at: number;
}

export interface TaskHistoryTable {
  id: string;
  task_id: string;
  org_id: string;
  actor: string | null;
  action: string;
  diff: string | null;
  at: number;
}
