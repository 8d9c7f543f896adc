import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import { TaskwardenError } from '../../core/errors.ts';
import type { Store, StoreCapabilities, StoreSession, StoreSignals } from '../../core/ports/store.ts';
import type { BulkRows } from './bulk-insert.ts';
import { CompiledStatements } from './compiled.ts';
import type { ClassifyDriverError, SqlContext } from './context.ts';
import type { Database } from './schema.ts';
import { createSession } from './session.ts';
import { TransactionScope, transactionGuardWanted } from './transaction-scope.ts';

export interface KyselyStoreOptions {
  db: Kysely<Database>;
  capabilities: StoreCapabilities;
  /** The backend's migrations by name; applied in name order ("0001_initial", "0002_…"). */
  migrations: Record<string, Migration>;
  classifyError: ClassifyDriverError;
  lockName?: SqlContext['lockName'];
  /** The optional members of the Store port, where the backend has them. */
  signals?: StoreSignals | undefined;
  dbNow?: (() => Promise<number>) | undefined;
  /** Releases what the backend holds besides the pool (a LISTEN connection); runs before the pool closes. */
  onClose?: (() => Promise<void>) | undefined;
  /**
   * `ping()` also takes (and gives back) the write lock: where one writer at a time holds
   * the whole file (SQLite), another process holding it stops every write, reads or not.
   */
  pingTakesWriteLock?: boolean | undefined;
  returningBuffersRows?: SqlContext['returningBuffersRows'];
  bulkRows: BulkRows;
  lateralJoins?: SqlContext['lateralJoins'];
  wholeTableRead?: SqlContext['wholeTableRead'];
  /** A reason the store is busy that no ping sees (writes giving up on locks: LockWaits), or null. */
  contention?: (() => TaskwardenError | null) | undefined;
  /** Runs the migrations on a connection set up for them (PostgreSQL: waits for another node's migration lock). */
  migrating?: (<T>(db: Kysely<Database>, migrate: (db: Kysely<Database>) => Promise<T>) => Promise<T>) | undefined;
}

/** A Store over any kysely dialect; backends differ only by the options they pass. */
export class KyselyStore implements Store {
  readonly capabilities: StoreCapabilities;
  readonly orgs: StoreSession['orgs'];
  readonly users: StoreSession['users'];
  readonly tokens: StoreSession['tokens'];
  readonly agents: StoreSession['agents'];
  readonly enrolmentTokens: StoreSession['enrolmentTokens'];
  readonly commands: StoreSession['commands'];
  readonly tasks: StoreSession['tasks'];
  readonly triggers: StoreSession['triggers'];
  readonly runs: StoreSession['runs'];
  readonly jobstates: StoreSession['jobstates'];
  readonly logs: StoreSession['logs'];
  readonly ledger: StoreSession['ledger'];
  readonly history: StoreSession['history'];
  readonly inventories: StoreSession['inventories'];
  readonly devices: StoreSession['devices'];
  readonly packages: StoreSession['packages'];
  readonly nodes: StoreSession['nodes'];
  readonly idempotency: StoreSession['idempotency'];
  readonly commandProcesses: StoreSession['commandProcesses'];
  readonly channels: StoreSession['channels'];
  readonly deliveries: StoreSession['deliveries'];
  readonly rollouts: StoreSession['rollouts'];
  readonly calendars: StoreSession['calendars'];
  readonly lateJoin: StoreSession['lateJoin'];
  readonly signals?: StoreSignals;
  readonly dbNow?: () => Promise<number>;

  private readonly db: Kysely<Database>;
  private readonly migrations: Record<string, Migration>;
  /** What every session of the store is built with, but its connection and (transactions only) lockName. */
  private readonly sessionContext: Omit<SqlContext, 'db' | 'lockName'>;
  private readonly lockName: SqlContext['lockName'];
  private readonly onClose: (() => Promise<void>) | undefined;
  private readonly pingTakesWriteLock: boolean;
  private readonly contention: KyselyStoreOptions['contention'];
  private readonly migrating: KyselyStoreOptions['migrating'];
  private readonly scope: TransactionScope;
  private readonly compiled = new CompiledStatements();

  constructor(options: KyselyStoreOptions) {
    this.db = options.db;
    this.capabilities = options.capabilities;
    this.migrations = options.migrations;
    this.lockName = options.lockName;
    this.onClose = options.onClose;
    this.pingTakesWriteLock = options.pingTakesWriteLock ?? false;
    this.sessionContext = {
      capabilities: this.capabilities,
      classifyError: options.classifyError,
      compiled: this.compiled,
      returningBuffersRows: options.returningBuffersRows ?? false,
      bulkRows: options.bulkRows,
      lateralJoins: options.lateralJoins ?? false,
      wholeTableRead: options.wholeTableRead,
    };
    this.contention = options.contention;
    this.migrating = options.migrating;
    this.scope = new TransactionScope(transactionGuardWanted());
    if (options.signals) this.signals = options.signals;
    if (options.dbNow) this.dbNow = options.dbNow;
    const session = createSession({
      ...this.sessionContext,
      db: this.scope.enabled ? this.db.withPlugin(this.scope.guard()) : this.db,
    });
    this.orgs = session.orgs;
    this.users = session.users;
    this.tokens = session.tokens;
    this.agents = session.agents;
    this.enrolmentTokens = session.enrolmentTokens;
    this.commands = session.commands;
    this.tasks = session.tasks;
    this.triggers = session.triggers;
    this.runs = session.runs;
    this.jobstates = session.jobstates;
    this.logs = session.logs;
    this.ledger = session.ledger;
    this.history = session.history;
    this.inventories = session.inventories;
    this.devices = session.devices;
    this.packages = session.packages;
    this.nodes = session.nodes;
    this.idempotency = session.idempotency;
    this.commandProcesses = session.commandProcesses;
    this.channels = session.channels;
    this.deliveries = session.deliveries;
    this.rollouts = session.rollouts;
    this.calendars = session.calendars;
    this.lateJoin = session.lateJoin;
  }

  async transaction<T>(fn: (tx: StoreSession) => Promise<T>): Promise<T> {
    this.scope.assertOutside('store.transaction()');
    return this.db.transaction().execute((trx) => {
      const session = createSession({ ...this.sessionContext, db: trx, lockName: this.lockName });
      return this.scope.run(() => fn(session));
    });
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
    if (this.pingTakesWriteLock) await this.db.transaction().execute(async () => {});
    const busy = this.contention?.();
    if (busy) throw busy;
  }

  async migrate(): Promise<void> {
    this.scope.assertOutside('store.migrate()');
    const migrations = this.migrations;
    const migrate = (db: Kysely<Database>) =>
      new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
    const { error, results } = await (this.migrating ? this.migrating(this.db, migrate) : migrate(this.db));
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      const message = error instanceof Error ? error.message : String(error);
      throw new TaskwardenError('internal', `migration ${failed ?? '(setup)'} failed: ${message}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    try {
      await this.onClose?.();
    } finally {
      await this.db.destroy();
    }
  }
}
