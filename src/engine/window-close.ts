import { moveJobstate } from '../core/lifecycle.ts';
import type { Jobstate, Task } from '../core/model.ts';
import type { JobstatePatch } from '../core/ports/store.ts';
import type { Windows } from '../core/schedule/index.ts';
import { type EngineContext, type UnitOfWork, WAKE_LOOP, withTx } from './context.ts';
import { afterTerminal, endJobstate } from './outcomes.ts';

const BATCH = 200;

const iso = (t: number) => new Date(t).toISOString();

/** One jobstate whose window closed, with what deciding about it needs. */
interface Closed {
  ctx: EngineContext;
  uow: UnitOfWork;
  js: Jobstate;
  task: Task;
  windows: Windows;
}

/**
 * Timeslots govern execution, not only preparation. No claim takes a jobstate past its
 * window's close (windowClosesAt); here the engine moves on those the close concerns
 * (listWindowClosed), a batch per transaction:
 *
 * - the window is open again (a task edited meanwhile, an autumn hour): its new close is kept;
 * - prepared, never started: back to `waiting` (timeslot_closed) until the next opening,
 *   so an agent that comes late gets nothing; `expired` when there is no opening left;
 * - started (running, or a chunked server job between two chunks), by its task's timeslotEnd:
 *   `finish` runs on; `cancel` ends it cancelled, reason timeslot_closed, stopped as a
 *   cancel from the UI stops it (a chunk on this node is aborted, on another it loses its
 *   lease; an agent is told at its next contact or event); `pause`: the chunk in progress
 *   had the close as its deadline, and the job waits with its checkpoint for the next
 *   opening. Running agent jobs cannot be paused: the store lists them only for `cancel`,
 *   so `pause` lets them finish.
 */
export async function closeWindows(ctx: EngineContext): Promise<number> {
  const now = ctx.clock.now();
  // Most passes find nothing: a plain read then spares them a write transaction.
  if ((await ctx.store.jobstates.listWindowClosed(now, 1)).length === 0) return 0;
  return withTx(
    ctx,
    async (uow) => {
      let moved = 0;
      for (const js of await uow.tx.jobstates.listWindowClosed(now, BATCH)) {
        const task = await uow.reads.task(js.taskId);
        if (!task) continue;
        if (await atClose({ ctx, uow, js, task, windows: await uow.reads.windowsOf(task, js) })) moved++;
      }
      return moved;
    },
    now,
  );
}

function atClose(c: Closed): Promise<boolean> {
  const { js, task, windows } = c;
  const { now } = c.uow;
  if (windows.isOpen(now)) return patch(c, { windowClosesAt: windows.nextClose(now) });
  if (js.startedAt === null || task.timeslotEnd === 'pause') return requeue(c);
  if (task.timeslotEnd === 'cancel') return cancel(c);
  // finish: started work runs on; its next chunk may be claimed again.
  return patch(c, { windowClosesAt: null });
}

async function patch(c: Closed, change: JobstatePatch): Promise<boolean> {
  const { js } = c;
  const { tx, emit, now } = c.uow;
  // A change of status is checked against the lifecycle; either way the row must still be as read.
  const guard = change.status ? moveJobstate(change.status, change, [js.status]).guard : [js.status];
  if (!(await tx.jobstates.update(js.id, { ...change, updatedAt: now }, { status: guard, attempt: js.attempt })))
    return false;
  emit({ type: 'jobstate', jobstate: { ...js, ...change, updatedAt: now } });
  return true;
}

/**
 * Back to waiting until the next opening, where the engine prepares it again (a chunked job
 * keeps its checkpoint and resumes from it; its timeout counts again from its resumption).
 * A serial module's postponed jobs may go meanwhile.
 */
async function requeue(c: Closed): Promise<boolean> {
  const { ctx, uow, js, windows } = c;
  const { tx, emit, now } = uow;
  const closedAt = iso(js.windowClosesAt ?? now);
  const opening = windows.nextOpen(now);
  if (opening === null) {
    const error = `its task's window closed at ${closedAt} for good (activeTill) before it could run`;
    return endJobstate(ctx, uow, js, { ok: false, reason: 'expired', result: { error } }, { status: ['prepared'] });
  }
  const what = js.startedAt === null ? 'before it was claimed' : 'and the task pauses running work (timeslotEnd pause)';
  const line = `the task's window closed at ${closedAt} ${what}: waiting for the next opening at ${iso(opening)}`;
  const moved = await patch(c, {
    status: 'waiting',
    reason: 'timeslot_closed',
    dueAt: opening,
    preparedAt: null,
    startedAt: null,
    windowClosesAt: null,
  });
  if (!moved) return false;
  await tx.logs.append(js.id, js.attempt, [{ ts: now, stream: 'info', line }]);
  if (ctx.modules.get(js.module)?.parallelizable === false) {
    if ((await tx.jobstates.wake({ reason: 'postponed', orgId: js.orgId, module: js.module }, now)) > 0)
      emit(WAKE_LOOP);
  }
  return true;
}

/** Ends started work cancelled, reason timeslot_closed: final, like a cancel from the UI. */
async function cancel(c: Closed): Promise<boolean> {
  const { ctx, uow, js, task } = c;
  const { tx, now } = uow;
  const change = {
    status: 'cancelled',
    reason: 'timeslot_closed',
    finishedAt: now,
    leaseOwner: null,
    leaseExpiresAt: null,
    windowClosesAt: null,
  } as const;
  if (!(await patch(c, change))) return false;
  const line = `the task's window closed at ${iso(js.windowClosesAt ?? now)}: cancelled (timeslotEnd cancel)`;
  await tx.logs.append(js.id, js.attempt, [{ ts: now, stream: 'info', line }]);
  uow.stop([js.id]);
  await afterTerminal(ctx, uow, { ...js, ...change, updatedAt: now }, task);
  return true;
}
