import type { RunReason } from '../model.ts';
import type { AgentRepo, EnrolmentTokenRepo } from './agents.ts';
import type { CalendarRepo } from './calendars.ts';
import type { CommandProcessRepo } from './command-processes.ts';
import type { CommandRepo } from './commands.ts';
import type { DeviceRepo, InventoryRepo, PackageRepo } from './fleet.ts';
import type { IdempotencyRepo } from './idempotency.ts';
import type { JobstateRepo } from './jobstates.ts';
import type { LateJoinRepo } from './late-join.ts';
import type { LedgerRepo } from './ledger.ts';
import type { LogRepo } from './logs.ts';
import type { NodeRepo } from './nodes.ts';
import type { ChannelRepo, DeliveryRepo } from './notifications.ts';
import type { OrgRepo } from './orgs.ts';
import type { RolloutRepo } from './rollouts.ts';
import type { RunRepo } from './runs.ts';
import type { HistoryRepo, TaskRepo, TriggerRepo } from './tasks.ts';
import type { TokenRepo, UserRepo } from './users.ts';

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
  /**
   * Each statement is a round trip to a database server, during which the event loop serves
   * others (PostgreSQL): a batch of writes costs its round trips more than its rows, so
   * batches may be large. Without it statements run on the event loop (SQLite), and a batch
   * holds every request behind it while it runs.
   */
  roundTrips: boolean;
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

// Each repository's port is in a file of its own (core/ports/<repo>.ts); callers may import
// them from here, as the whole store's port.
export type * from './agents.ts';
export type * from './command-processes.ts';
export type * from './commands.ts';
export type * from './idempotency.ts';
export type * from './jobstates.ts';
export type * from './ledger.ts';
export type * from './logs.ts';
export type * from './nodes.ts';
export type * from './orgs.ts';
export type * from './page.ts';
export type * from './runs.ts';
export type * from './tasks.ts';
export type * from './users.ts';
export type { RunReason };
