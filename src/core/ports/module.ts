import type { Clock, PausedSince } from '../clock.ts';
import type { Jobstate, JobstateReason, LogStream } from '../model.ts';
import type { DeviceSighting, InventoryChange, PackageRecord } from './fleet.ts';
import type { FusionInventoryHook } from './fusioninventory-hook.ts';
import type { JobProcesses } from './processes.ts';
import type { CatalogCommand, LedgerEntry } from './store.ts';

/**
 * The module SDK's contract. Built-in modules (src/modules) and third-party ones implement
 * exactly this through `defineModule`; the engine knows nothing else about them.
 */
export interface ModuleDefinition<P extends Record<string, unknown> = Record<string, unknown>> {
  /** Lower-case identifier used in task files ("command", "housekeeping"). */
  name: string;
  title: string;
  /** A short glyph for the monitoring line. */
  icon: string;
  description: string;
  /** Where the module's work can run. */
  runsOn: 'server' | 'agent' | 'both';
  /** false = never two of this module running at once in an org (Taskomatic's parallelizable). */
  parallelizable: boolean;
  /**
   * true = its work spans the whole installation (a database backup): only global tasks,
   * the global admin's, may use it, and orgs are not offered it.
   */
  globalOnly?: boolean;
  /**
   * true = its server half needs `services.backup` (the store's online copy): a task using
   * it is refused when saved on a store that has none (PostgreSQL), not at its first run.
   */
  usesStoreBackups?: boolean;
  /** JSON schema of `params`, shown by the API and used by the UI's form. */
  paramsSchema: Record<string, unknown>;
  /** Validates and normalises params; throws ValidationError naming the field. */
  parseParams(params: unknown, field: string): P;
  /** Server half: runs a chunk of work. Required when runsOn includes the server. */
  execute?(ctx: ServerJobContext<P>): Promise<ExecuteOutcome>;
  /** Called after a failed attempt that will be retried; may return changed params (iTop). */
  onError?(info: { params: P; attempt: number; reason: JobstateReason; result: unknown }): P | undefined;
  /** Monitoring details of one run from its jobstates ("ok 50, ko 12, unneeded 3"). */
  summarize?(jobstates: readonly SummaryInput[]): ModuleSummary;
  /**
   * Who executes a jobstate whose target is an agent: the agent itself (default), or the
   * server on its behalf — wake-on-LAN targets machines that are asleep.
   */
  agentTargetsRunOn?: 'agent' | 'server';
  /** Server half for agent jobstates: what the agent receives with the job (rendered argv, package files…). */
  payload?(ctx: PayloadContext<P>): Promise<unknown>;
  /** Server half for agent jobstates: digests what the agent reported (stores inventory, devices…). */
  accept?(ctx: AcceptContext<P>): Promise<AgentOutcome>;
  /** Agent half: runs one jobstate on the agent. */
  agent?: AgentHalf<P>;
  /**
   * The org's package whose files an agent may download while it runs this module's job
   * (deploy: the package it installs); absent or null = none.
   */
  packageOf?(params: P): string | null;
  /**
   * How a FusionInventory agent (GLPI's protocol) runs this module's agent jobstates; absent =
   * it cannot, and such a jobstate handed to one errs `module_unknown`.
   */
  fusionInventory?: FusionInventoryHook<P>;
}

export interface AgentOutcome {
  ok: boolean;
  result?: unknown;
  reason?: JobstateReason;
}

export interface PayloadContext<P> {
  params: P;
  jobstate: Pick<Jobstate, 'id' | 'runId' | 'taskId' | 'orgId' | 'job' | 'attempt' | 'agentId'>;
  services: ModuleServices;
}

export interface AcceptContext<P> extends PayloadContext<P> {
  agentId: string;
  outcome: AgentOutcome;
}

export interface AgentHalf<P> {
  run(ctx: AgentJobContext<P>): Promise<AgentOutcome>;
}

export interface AgentJobContext<P> {
  params: P;
  /** What the server half's `payload` built for this jobstate. */
  payload: unknown;
  jobstate: { id: string; attempt: number; timeoutSeconds: number };
  /** Aborted on cancellation, timeout or agent shutdown. */
  signal: AbortSignal;
  clock: Clock;
  /**
   * The time the agent did not run (stopped, suspended) since a `clock.monotonic()` time: a
   * module's own timeouts leave it out, as the job's does (sleepRunning).
   */
  pausedSince: PausedSince;
  log(line: string, stream?: LogStream): void;
  progress(percent: number, message?: string): void;
  /** Downloads a package file by sha256 into the agent's cache (hash verified); returns its path. */
  fetchFile(sha256: string): Promise<string>;
  /** A folder this module may keep state in on the agent (inventory snapshots, deploy receipts). */
  dataDir: string;
  /** Where deploy extracts relative paths (agent config `packageRoot`, default `<data>/packages`). */
  packageRoot: string;
}

export type ExecuteOutcome =
  | { done: true; ok: boolean; result?: unknown; reason?: JobstateReason }
  | { done: false; checkpoint: unknown };

export interface SummaryInput {
  job: string;
  agentId: string | null;
  status: Jobstate['status'];
  reason: Jobstate['reason'];
  result: unknown;
}

export interface ModuleSummary {
  /** One-line details for the monitoring line. */
  details: string;
  /** Extra lines under it (per package, per device class…). */
  lines?: string[];
}

export interface ServerJobContext<P> {
  params: P;
  /** agentId: the target agent of a module whose agent targets run on the server (wake-on-LAN), else null. */
  jobstate: Pick<Jobstate, 'id' | 'runId' | 'taskId' | 'orgId' | 'job' | 'attempt' | 'timeoutSeconds' | 'agentId'>;
  /** The checkpoint the previous chunk returned, undefined on the first chunk. */
  checkpoint: unknown;
  /**
   * Return (with a checkpoint) before this time of `clock.monotonic()`; the engine resumes
   * the job later. Monotonic, so setting the wall clock neither cuts nor stretches a chunk.
   */
  deadline: number;
  /** Aborted on cancellation, timeout or shutdown. */
  signal: AbortSignal;
  clock: Clock;
  log(line: string, stream?: LogStream): void;
  services: ModuleServices;
  /**
   * Where this node can track processes (Linux): what a module that starts a program must
   * call around the spawn, so that after a crash the program is killed before any retry.
   */
  processes?: JobProcesses;
}

/**
 * What the server lends to modules: narrow on purpose, so modules never see a Store. Each
 * job gets the services of its own org (ModuleServicesFor): every call reads and writes
 * that org's rows only, and no call takes an org, so a module cannot name another one.
 */
export interface ModuleServices {
  commands: {
    /** The org's catalog command of that name, else the global one (what the org's agents run). */
    resolve(name: string): Promise<CatalogCommand | null>;
    /**
     * The command of that name the global admin lets the org run on the server: his entry for
     * the org, else his global one; null when there is none (an org-admin's entry never counts).
     */
    resolveForServer(name: string): Promise<CatalogCommand | null>;
  };
  retention: {
    /** Deletes up to `limit` of the org's finished runs (jobstates and logs with them) older than `before`. */
    pruneRuns(before: number, limit: number): Promise<number>;
    /** Deletes up to `limit` log lines of the org's jobs older than `before`. */
    pruneLogs(before: number, limit: number): Promise<number>;
  };
  fleet: FleetServices;
  ledger: {
    /** The last outcome of each job of the org's tasks on this target (an agent id, or "server"). */
    ofTarget(target: string): Promise<LedgerEntry[]>;
  };
  packages: {
    /** The org's package of that name: the given version, else the most recent one. */
    find(name: string, version?: string): Promise<PackageRecord | null>;
    /** The absolute folders the global admin allowed the org's packages to extract to. */
    extractPrefixes(): Promise<string[]>;
    /**
     * Deletes up to `limit` of the org's uploaded files that none of its packages uses and
     * that were uploaded before `before` (the grace lets an upload be registered first).
     */
    pruneUnreferencedFiles(before: number, limit: number): Promise<number>;
    /**
     * Deletes the stored bytes no org records any more (pruned uploads, leftovers of a crash,
     * abandoned partial uploads), last written before `before`; returns how many files. Not
     * an org's rows: content-addressed bytes that no org's record names, so no org loses any.
     */
    deleteOrphanFiles(before: number): Promise<number>;
  };
  /** The store's online backup: lent to global tasks only (the `backup` module), absent elsewhere. */
  backup?: StoreBackups | undefined;
}

/** Copies of the whole database into a folder, the newest `keep` kept. */
export interface StoreBackups {
  /** Why this store cannot be backed up so (PostgreSQL: pg_dump), or null when it can. */
  readonly unsupported: string | null;
  /** A consistent copy taken now into `folder` (absent: the server's default), then the oldest beyond `keep` removed. */
  snapshot(input: { folder: string | null; keep: number }): Promise<{ file: string; removed: string[] }>;
}

/** The services bound to one org; the engine passes each job those of the job's org. */
export type ModuleServicesFor = (orgId: string) => ModuleServices;

/** An agent as the fleet modules see it, with its latest inventory (null before the first one). */
export interface FleetAgent {
  id: string;
  name: string;
  tags: string[];
  inventory: Record<string, unknown> | null;
}

/** Agents, inventories and devices of the services' org (another org's agent is unknown). */
export interface FleetServices {
  agent(agentId: string): Promise<FleetAgent | null>;
  /** The org's enabled agents named by id, or having any of the tags. */
  agents(select: { agents: string[] } | { tags: string[] }): Promise<FleetAgent[]>;
  /**
   * Replaces the agent's inventory and records what changed, in one transaction: `diff`
   * gets the previous inventory (null for the first) and returns the changes to record.
   * jobstateId null: an inventory the agent sent unasked (a FusionInventory agent's first one).
   * Fails with not_found when the agent is not one of the org's.
   */
  saveInventory(
    input: { agentId: string; jobstateId: string | null; data: Record<string, unknown> },
    diff: (previous: Record<string, unknown> | null) => InventoryChange[],
  ): Promise<{ first: boolean; changes: InventoryChange[] }>;
  /** Records a discovery's sightings as new or updated devices of the org. */
  recordDevices(
    sightings: readonly DeviceSighting[],
    jobstateId: string,
  ): Promise<{ created: number; updated: number }>;
}

export interface ModuleRegistry {
  get(name: string): ModuleDefinition | undefined;
  list(): ModuleDefinition[];
}
