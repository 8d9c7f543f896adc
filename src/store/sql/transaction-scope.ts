import { AsyncLocalStorage } from 'node:async_hooks';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  UnknownRow,
} from 'kysely';
import { TaskwardenError } from '../../core/errors.ts';

/**
 * Whether stores check that they are not used inside their own transactions (below):
 * TASKWARDEN_TX_GUARD=1 or 0 says so; unset, the check is on under node's test runner (it
 * sets NODE_TEST_CONTEXT in every test file's process; scripts/test.mjs sets
 * TASKWARDEN_TX_GUARD=1 as well) and off otherwise. Off in production because on Node 20
 * a single AsyncLocalStorage in use turns on the promise hooks for every promise of the
 * process, not only the store's: ~5 % of a busy server's CPU (issue 14's fleet profile).
 * The mistake it catches is a programming error the tests exercise, not an input.
 */
export function transactionGuardWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  const asked = env['TASKWARDEN_TX_GUARD'];
  if (asked === '1' || asked === '0') return asked === '1';
  return env['NODE_TEST_CONTEXT'] !== undefined;
}

/**
 * Knows whether the current async flow is inside one of this store's transactions.
 * Using the store itself (instead of the `tx` session) there is a bug: on SQLite, whose
 * single connection the transaction holds, it would wait forever; elsewhere it would
 * silently run outside the transaction. So it fails loudly on every backend, when enabled
 * (transactionGuardWanted); disabled, it costs nothing and checks nothing.
 */
export class TransactionScope {
  private readonly storage: AsyncLocalStorage<{ active: boolean }> | null;

  constructor(enabled: boolean) {
    this.storage = enabled ? new AsyncLocalStorage() : null;
  }

  get enabled(): boolean {
    return this.storage !== null;
  }

  /** Runs `fn` as the body of a transaction; work it leaves behind is outside once it returns. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.storage) return fn();
    const scope = { active: true };
    try {
      return await this.storage.run(scope, fn);
    } finally {
      scope.active = false;
    }
  }

  assertOutside(what: string): void {
    if (this.storage?.getStore()?.active) {
      throw new TaskwardenError(
        'internal',
        `${what} was called inside store.transaction(); use the session the transaction passed instead`,
      );
    }
  }

  /** A kysely plugin that applies the check to every query of the store's own session. */
  guard(): KyselyPlugin {
    return {
      transformQuery: (args: PluginTransformQueryArgs) => {
        this.assertOutside('the store');
        return args.node;
      },
      transformResult: async (args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> => args.result,
    };
  }
}
