// Idempotency keys of run starts: a client that lost the answer to "start a run" (a dropped
// connection, a timeout) asks again with the same key and gets the first run, not a second.
import { TaskwardenError } from '../core/errors.ts';
import type { Run } from '../core/model.ts';
import type { StoreSession } from '../core/ports/store.ts';
import { type EngineContext, type UnitOfWork, withTx } from './context.ts';

/** How long a key names its first run. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;
/** Expired keys are pruned at most this often per node (any node's pruning serves all). */
const PRUNE_INTERVAL_MS = 3_600_000;

/** A caller's Idempotency-Key for one request. */
export interface IdempotencyKey {
  /** Whose key it is (the user id): keys of different callers never meet. */
  scope: string;
  key: string;
  /** The request it names ("POST /api/v1/tasks/<id>/runs"); the key cannot name another one. */
  request: string;
}

/** A run start's answer: the run, and whether an earlier request with the same key made it. */
export interface StartedRun {
  run: Run;
  replayed: boolean;
}

/** Thrown inside the transaction to undo its run: a concurrent request claimed the key first. */
class KeyClaimedMeanwhile extends Error {}

/**
 * Starts a run with `launch` in one transaction that also records `once` with it. A key
 * already recorded answers its run instead, launching nothing. Two requests with one key at
 * once both launch, but the key's primary key lets only one commit (on PostgreSQL the second
 * claim waits for the first transaction); the other rolls back and answers the winner's run.
 */
export async function launchOnce(
  ctx: EngineContext,
  once: IdempotencyKey | undefined,
  launch: (uow: UnitOfWork) => Promise<Run>,
): Promise<StartedRun> {
  try {
    return await withTx(ctx, async (uow): Promise<StartedRun> => {
      const { tx, now } = uow;
      const earlier = once ? await earlierRun(tx, once, now) : null;
      if (earlier) return { run: earlier, replayed: true };
      const run = await launch(uow);
      const record = once && { ...once, runId: run.id, createdAt: now };
      if (record && !(await tx.idempotency.claim(record, now - IDEMPOTENCY_WINDOW_MS))) throw new KeyClaimedMeanwhile();
      return { run, replayed: false };
    });
  } catch (err) {
    if (!(err instanceof KeyClaimedMeanwhile) || !once) throw err;
    const earlier = await earlierRun(ctx.store, once, ctx.clock.now());
    if (!earlier)
      throw new TaskwardenError(
        'idempotency_run_gone',
        `Idempotency-Key "${once.key}": its run is gone; use a new key`,
      );
    return { run: earlier, replayed: true };
  }
}

/** The run `once` already started, if its key is live; a key of another request is refused. */
async function earlierRun(session: StoreSession, once: IdempotencyKey, now: number): Promise<Run | null> {
  const record = await session.idempotency.get(once.scope, once.key, now - IDEMPOTENCY_WINDOW_MS);
  if (!record) return null;
  if (record.request !== once.request) {
    throw new TaskwardenError(
      'idempotency_key_reused',
      `Idempotency-Key "${once.key}" was used for ${record.request} in the last 24 h; another request needs another key`,
      { field: 'Idempotency-Key' },
    );
  }
  return session.runs.get(record.runId);
}

/** Forgets keys older than their window, at most once an hour (engine passes call it). */
export class IdempotencyPruner {
  private lastPrune = Number.NEGATIVE_INFINITY;

  constructor(private readonly ctx: EngineContext) {}

  async prune(): Promise<void> {
    const at = this.ctx.clock.monotonic();
    if (at - this.lastPrune < PRUNE_INTERVAL_MS) return;
    this.lastPrune = at;
    await this.ctx.store.idempotency.deleteCreatedBefore(this.ctx.clock.now() - IDEMPOTENCY_WINDOW_MS);
  }
}
