import { busyTurn } from '../core/clock.ts';
import type { Run, Task } from '../core/model.ts';
import type { Trigger } from '../core/ports/store.ts';
import { type EngineContext, type UnitOfWork, withTx } from './context.ts';
import { FiringClash, type FiringReads, firingSession } from './firing-batch.ts';
import { createRun, launchRun } from './launch.ts';
import { targetZones } from './local-time.ts';
import { withCalendarRules } from './reads.ts';
import { type FiringPlan, planFirings } from './triggers.ts';

/**
 * Triggers fired per transaction. Where the store runs in this process (SQLite) a batch
 * holds the event loop (and HTTP) until it is written: a hundred. Where writers do not
 * exclude each other (rowLocks: PostgreSQL) a batch costs the same dozen round trips
 * whatever its size, and the node waits for them, not for its CPU: five hundred.
 */
function batchSize(ctx: EngineContext): number {
  return ctx.store.capabilities.rowLocks ? 500 : 100;
}

/** What one catch-up after an outage came to, for the warning that reports it. */
interface Misfires {
  tasks: number;
  dropped: number;
  firstDropped: number;
  lastDropped: number;
  caughtUp: number;
  lastCatchUpStart: number;
}

/**
 * Fires every due trigger, a batch per transaction (fireDueTriggers), letting the event
 * loop turn once 10 ms of work went by without a turn (busyTurn): on a store that answers
 * synchronously (SQLite), 10,000 tasks after an outage otherwise held HTTP up for the whole
 * firing (/health unanswered for 4 to 9 s). The turns are for HTTP, not for the executor:
 * chunks started between batches delayed the firings behind them (bench (c): 1,000 due at
 * once, start lateness p99 twice as long), so on SQLite the engine holds its executor back
 * while it fires; on PostgreSQL each batch's jobs are claimed beside the next batch's round
 * trips (Engine.fire). When firings were late (the server was down or stalled), one warning
 * says how many, of how many tasks, and how the catch-up runs are spread. Returns how many
 * triggers it handled.
 */
export async function fireAllDue(ctx: EngineContext): Promise<number> {
  const total = noMisfires();
  let handled = 0;
  for (;;) {
    // Counted per batch, and added up only once its transaction committed.
    const misfires = noMisfires();
    const batch = await fireDueTriggers(ctx, misfires);
    handled += batch;
    addUp(total, misfires);
    // A short batch took every trigger due at its `now` (the others' are locked by another
    // node firing them): a pass with one firing is one transaction, not two.
    if (batch < batchSize(ctx)) break;
    await busyTurn();
  }
  if (total.tasks > 0) warnMisfires(ctx, total);
  return handled;
}

function noMisfires(): Misfires {
  return {
    tasks: 0,
    dropped: 0,
    firstDropped: Number.POSITIVE_INFINITY,
    lastDropped: Number.NEGATIVE_INFINITY,
    caughtUp: 0,
    lastCatchUpStart: Number.NEGATIVE_INFINITY,
  };
}

function addUp(total: Misfires, batch: Misfires): void {
  total.tasks += batch.tasks;
  total.dropped += batch.dropped;
  total.firstDropped = Math.min(total.firstDropped, batch.firstDropped);
  total.lastDropped = Math.max(total.lastDropped, batch.lastDropped);
  total.caughtUp += batch.caughtUp;
  total.lastCatchUpStart = Math.max(total.lastCatchUpStart, batch.lastCatchUpStart);
}

/**
 * Claims the due triggers and turns their firings into runs, in one transaction per
 * batch: a run is unique on (task, fire time), so a firing is never created twice, even
 * by two nodes. A run due now starts in the same transaction (launchRun); a catch-up
 * waits `pending` for its slot (CatchUpPacer) and startDueRuns. The batch reads its tasks
 * and their active runs at once and writes its runs, jobstates and triggers together
 * (firingSession); when one of its firings turns out to have a run already, it is fired
 * again without that, each run's insert then answering for itself. Returns how many
 * triggers it handled.
 */
async function fireDueTriggers(ctx: EngineContext, misfires: Misfires, together = true): Promise<number> {
  const now = ctx.clock.now();
  try {
    return await withTx(
      ctx,
      async (uow) => {
        const due = await uow.tx.triggers.claimDue(now, batchSize(ctx));
        if (!together || due.length === 0) return fireEach(ctx, uow, due, misfires);
        const { session, flush } = firingSession(uow.tx, await batchReads(uow, due));
        const handled = await fireEach(ctx, uow.over(session), due, misfires);
        await flush();
        return handled;
      },
      now,
    );
  } catch (error) {
    if (!together || !(error instanceof FiringClash)) throw error;
    Object.assign(misfires, noMisfires()); // the rolled-back batch counted nothing
    return fireDueTriggers(ctx, misfires, false);
  }
}

/** The batch's tasks, and the active runs of those whose concurrency policy looks at them. */
async function batchReads({ tx }: UnitOfWork, due: readonly Trigger[]): Promise<FiringReads> {
  const tasks = new Map((await tx.tasks.getMany(due.map((t) => t.taskId))).map((task) => [task.id, task]));
  const looking = [...tasks.values()].filter((task) => task.concurrency !== 'allow').map((task) => task.id);
  const active = new Map<string, Run[]>(looking.map((id) => [id, []]));
  for (const run of await tx.runs.listActiveOf(looking)) active.get(run.taskId)?.push(run);
  return { tasks, active };
}

/** Fires each due trigger's task: its runs, then its trigger moved to the next firing (or cleared). */
async function fireEach(
  ctx: EngineContext,
  uow: UnitOfWork,
  due: readonly Trigger[],
  misfires: Misfires,
): Promise<number> {
  const { tx, now } = uow;
  const { options } = ctx;
  for (const trigger of due) {
    const task = await withCalendarRules(tx, await tx.tasks.get(trigger.taskId));
    if (!task?.enabled) {
      await tx.triggers.clear(trigger.taskId);
      continue;
    }
    const plan = planFirings(task, trigger.nextFireAt, now, {
      defaultTz: options.defaultTz,
      thresholdMs: options.misfireThresholdMs,
      cap: options.catchUpCap,
      zones: await targetZones(ctx, tx, task),
    });
    await recordLate(ctx, uow, { task, plan, misfires });
    for (const fireAt of plan.onTime) {
      const fireKey = String(fireAt);
      await launchRun(ctx, uow, task, { reason: 'schedule', fireAt, startAt: fireAt, fireKey });
    }
    if (plan.next === null) await tx.triggers.clear(task.id);
    else
      await tx.triggers.set({
        taskId: task.id,
        orgId: task.orgId,
        nextFireAt: plan.next,
        taskVersion: task.version,
      });
  }
  return due.length;
}

/**
 * The late firings of one task: those its policy drops become one `missed` run (fire key
 * its first firing, so a plan made twice records it once); those it catches up get their
 * start slots, the n-th of the task at least catchUpSpreadMs × n from now.
 */
async function recordLate(
  ctx: EngineContext,
  uow: UnitOfWork,
  late: { task: Task; plan: FiringPlan; misfires: Misfires },
): Promise<void> {
  const { now } = uow;
  const { task, plan, misfires } = late;
  const { missed } = plan;
  if (missed) {
    const request = {
      reason: 'schedule' as const,
      fireAt: missed.first,
      startAt: missed.first,
      fireKey: String(missed.first),
      status: 'missed' as const,
      missed: { count: missed.count, lastFireAt: missed.last },
    };
    if (await createRun(ctx, uow, task, request)) {
      misfires.dropped += missed.count;
      misfires.firstDropped = Math.min(misfires.firstDropped, missed.first);
      misfires.lastDropped = Math.max(misfires.lastDropped, missed.last);
    }
  }
  for (const [i, fireAt] of plan.catchUp.entries()) {
    const startAt = ctx.catchUp.slot(now + i * ctx.options.catchUpSpreadMs);
    if (await launchRun(ctx, uow, task, { reason: 'catch-up', fireAt, startAt, fireKey: String(fireAt) })) {
      misfires.caughtUp++;
      misfires.lastCatchUpStart = Math.max(misfires.lastCatchUpStart, startAt);
    }
  }
  if (missed || plan.catchUp.length > 0) misfires.tasks++;
}

function warnMisfires(ctx: EngineContext, m: Misfires): void {
  const iso = (t: number) => new Date(t).toISOString();
  const dropped =
    m.dropped > 0
      ? `${m.dropped} firings dropped (${iso(m.firstDropped)} to ${iso(m.lastDropped)}), one missed run per task`
      : 'no firing dropped';
  const caught =
    m.caughtUp > 0
      ? `${m.caughtUp} catch-up runs, starting at up to ${ctx.options.catchUpPerSecond}/s until ${iso(m.lastCatchUpStart)}`
      : 'no catch-up run';
  ctx.log.warn(
    `taskwarden engine: ${m.tasks} tasks missed firings while this server was down or stalled: ${dropped}; ${caught}`,
  );
}
