import { moveJobstate } from '../core/lifecycle.ts';
import { type Jobstate, type Task, TERMINAL_JOBSTATE_STATUSES } from '../core/model.ts';
import type { JobstatePatch } from '../core/ports/store.ts';
import { isAgentLocal } from '../core/schedule/agent-local.ts';
import { decideStart, jobDefOf } from '../core/sequencing.ts';
import { type EngineContext, type UnitOfWork, withTx } from './context.ts';
import { afterTerminal } from './outcomes.ts';
import { rolloutGate } from './rollout.ts';

const BATCH = 200;
/** Longest a parked jobstate waits if its wake-up was lost; normally it is woken at once. */
const PARK_RECHECK_MS = 60_000;

/**
 * Moves due `waiting` jobstates on, a batch per transaction; on a shared database each
 * node locks the rows it lists and skips those another node holds, so nodes never walk
 * the same batch. Returns how many jobstates changed (parked ones do not count).
 */
export async function advanceWaiting(ctx: EngineContext): Promise<number> {
  return withTx(ctx, async (uow) => {
    let changed = 0;
    for (const js of await uow.tx.jobstates.listDueWaiting(uow.now, BATCH)) {
      if (await advanceJobstate(ctx, uow, js)) changed++;
    }
    return changed;
  });
}

/** What a due waiting jobstate does now: a move (counted, announced) or a park (silent). */
type Step = { move: true; patch: JobstatePatch & Pick<Jobstate, 'status'> } | { move: false; patch: JobstatePatch };

/**
 * Decides what a due `waiting` jobstate does now, and writes it (with `base`, what the
 * caller changes anyway, such as a starting run's due time): to `prepared` when its
 * previous job ended and its startIf holds, the task's timeslots are open and, for a
 * serial module, no other of its jobstates is busy in the org; to `skipped` when startIf
 * is unmet. A prepared one carries when its window closes: no claim takes it after that
 * (closeWindows). Otherwise it stays waiting with a reason and is parked until what it waits
 * for happens (dueAt = the next opening for a closed timeslot; for a previous job or a
 * busy module, the store's `wake` when that ends — with a late recheck as a safety net,
 * because on a shared database the wake can slip in between our read and our park).
 * Returns whether it moved.
 */
export async function advanceJobstate(
  ctx: EngineContext,
  uow: UnitOfWork,
  js: Jobstate,
  base: JobstatePatch = {},
): Promise<boolean> {
  const { tx, emit, reads, now } = uow;
  const step = await decide(ctx, uow, js);
  const patch = { ...base, ...step.patch, updatedAt: now };
  // A park keeps the status: its guard is the same, written with the move's table check when it moves.
  const guard = step.move ? moveJobstate(step.patch.status, patch, ['waiting']).guard : ['waiting' as const];
  if (!(await tx.jobstates.update(js.id, patch, { status: guard, attempt: js.attempt })) || !step.move) {
    return false;
  }
  const moved = { ...js, ...patch };
  const sibling = (await reads.siblings(js.runId)).find((o) => o.id === js.id);
  if (sibling) sibling.status = step.patch.status;
  emit({ type: 'jobstate', jobstate: moved });
  if (step.patch.status !== 'prepared') await afterTerminal(ctx, uow, moved, await reads.task(js.taskId));
  return true;
}

/**
 * The state a jobstate of a run starting as it is created can be written in at once, so
 * the run costs no second write per jobstate: prepared, or parked behind its previous job
 * or a closed timeslot. Null when that takes a look at other rows (a serial module's
 * busy ones) or a follow-up (an end): the caller inserts it waiting and advances it after.
 */
async function initialState(ctx: EngineContext, uow: UnitOfWork, js: Jobstate): Promise<JobstatePatch | null> {
  if (ctx.modules.get(js.module)?.parallelizable === false) return null;
  const step = await decide(ctx, uow, js);
  if (step.move && step.patch.status !== 'prepared') return null;
  return { dueAt: uow.now, ...step.patch };
}

/**
 * initialState for the jobstates of `task`'s run starting in `uow`, one decision serving
 * all that decide alike: first jobs (no previous job to wait for) outside rollout waves,
 * of a task whose windows are read in one zone (not `tz: "agent"`), have the same job,
 * windows and instant. A run over 100,000 agents decides once, not 100,000 times.
 */
export function initialStates(
  ctx: EngineContext,
  uow: UnitOfWork,
  task: Task,
): (js: Jobstate) => Promise<JobstatePatch | null> {
  const zoneOfItsOwn = isAgentLocal(task.schedule);
  let firstJob: Promise<JobstatePatch | null> | undefined;
  return (js) => {
    if (zoneOfItsOwn || js.jobIndex !== 0 || js.wave !== undefined) return initialState(ctx, uow, js);
    firstJob ??= initialState(ctx, uow, js);
    return firstJob;
  };
}

async function decide(ctx: EngineContext, uow: UnitOfWork, js: Jobstate): Promise<Step> {
  const { tx, reads, now } = uow;
  const parked = await rolloutGate(ctx, uow, js);
  if (parked) return { move: false, patch: parked };
  const task = await reads.task(js.taskId);
  const job = jobDefOf(task, js);
  const siblings = await reads.siblings(js.runId);
  let decision = decideStart(js, job?.startIf ?? 'always', siblings);
  if (decision === 'wait' && ctx.store.capabilities.rowLocks) {
    // Read again, share-locked, what it waits for: a previous job ending on another
    // connection right now is then either seen ended, or ends after our park and wakes it.
    const before = siblings.filter((o) => o.jobIndex < js.jobIndex && !TERMINAL_JOBSTATE_STATUSES.includes(o.status));
    for (const fresh of await tx.jobstates.getShared(before.map((o) => o.id))) {
      const cached = siblings.find((o) => o.id === fresh.id);
      if (cached) cached.status = fresh.status;
    }
    decision = decideStart(js, job?.startIf ?? 'always', siblings);
  }
  if (decision === 'wait') return { move: false, patch: { reason: 'waiting_previous', dueAt: now + PARK_RECHECK_MS } };
  if (decision === 'skip')
    return { move: true, patch: { status: 'skipped', reason: 'start_if_unmet', finishedAt: now } };

  let windowClosesAt: number | null = null;
  if (task) {
    const windows = await reads.windowsOf(task, js);
    if (!windows.isOpen(now)) {
      const opening = windows.nextOpen(now);
      if (opening === null) return { move: true, patch: { status: 'error', reason: 'expired', finishedAt: now } };
      return { move: false, patch: { reason: 'timeslot_closed', dueAt: opening } };
    }
    windowClosesAt = windows.nextClose(now);
  }

  if (ctx.modules.get(js.module)?.parallelizable === false && (await tx.jobstates.countBusy(js.orgId, js.module)) > 0) {
    return { move: false, patch: { reason: 'postponed', dueAt: now + PARK_RECHECK_MS } };
  }

  return { move: true, patch: { status: 'prepared', reason: null, preparedAt: now, windowClosesAt } };
}
