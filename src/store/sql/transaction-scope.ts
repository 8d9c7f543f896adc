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
 * Knows whether the current async flow is inside one of this store's transactions.
 * Using the store itself (instead of the `tx` session) there is a bug: on SQLite, whose
 * single connection the transaction holds, it would wait forever; elsewhere it would
 * silently run outside the transaction. So it fails loudly on every backend.
 */
export class TransactionScope {
  private readonly storage = new AsyncLocalStorage<{ active: boolean }>();

  /** Runs `fn` as the body of a transaction; work it leaves behind is outside once it returns. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const scope = { active: true };
    try {
      return await this.storage.run(scope, fn);
    } finally {
      scope.active = false;
    }
  }

  assertOutside(what: string): void {
    if (this.storage.getStore()?.active) {
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
