// Staged rollouts in the engine: a new run's targets put in waves, a jobstate of a wave not
// open yet parked (waiting, rollout_wave), and the next wave opened, paused for or halted
// when the open waves' targets all ended. Every wave decision is taken with the run's row
// locked (the lock completeIfDone takes), so on a shared database it happens once.
import { TaskwardenError } from '../core/errors.ts';
import type { Jobstate, Run, Task } from '../core/model.ts';
import type { JobstatePatch, StoreSession } from '../core/ports/store.ts';
import { type NamedTarget, nextWaveStep, orderTargets, rolloutPlan, waveOf } from '../core/rollout.ts';
import { type EngineContext, type UnitOfWork, WAKE_LOOP, withTx } from './context.ts';
import { endRun, type RunEnd } from './runs.ts';

/** A run halted by its rollout: its open jobstates are cancelled with it. */
const HALTED: RunEnd = { status: 'error', statusReason: 'rollout_halted', jobstateReason: 'rollout_halted' };

/** The name the server target sorts by among agents. */
const SERVER_TARGET = 'server';

/**
 * Puts a new run's targets in waves when its task has a rollout: each jobstate gets its
 * target's wave, the run its plan with wave 1 open. The jobstates are not written yet.
 */
export async function planRollout(tx: StoreSession, task: Task, run: Run, jobstates: Jobstate[]): Promise<void> {
  if (!task.rollout || jobstates.length === 0) return;
  const ids = [...new Set(jobstates.map((js) => js.agentId))];
  const names = await tx.rollouts.agentNames(
    task.orgId,
    ids.filter((id): id is string => id !== null),
  );
  const targets: NamedTarget[] = ids.map((id) => ({ id, name: id === null ? SERVER_TARGET : (names.get(id) ?? id) }));
  const plan = rolloutPlan(task.rollout, targets.length);
  const waves = new Map(orderTargets(targets, task.rollout.order, run.id).map((t, i) => [t.id, waveOf(plan.reach, i)]));
  for (const js of jobstates) js.wave = waves.get(js.agentId) ?? 1;
  run.rollout = { ...plan, wave: 1 };
  await tx.rollouts.setPlan(run.id, run.rollout);
}

/** The runs one transaction read for the gate: plain reads, or locked and fresh ones (`locked`). */
const seen = new WeakMap<StoreSession, Map<string, { run: Run | null; locked: boolean }>>();

async function readRun(tx: StoreSession, runId: string, lock: boolean): Promise<Run | null> {
  const runs = seen.get(tx) ?? new Map<string, { run: Run | null; locked: boolean }>();
  seen.set(tx, runs);
  const known = runs.get(runId);
  if (known && (known.locked || !lock)) return known.run;
  const run = lock ? await tx.rollouts.lockRun(runId) : await tx.runs.get(runId);
  runs.set(runId, { run, locked: lock });
  return run;
}

/**
 * Whether a due jobstate's wave is open: null when it is (or its run has no rollout),
 * else how it stays parked. Before parking it the run is read again under its lock: a wave
 * opened meanwhile on another connection is then either seen, or opened after the park
 * and releases it. A jobstate of the next wave coming due (released for the end of a pause,
 * or at the end of its job's delay) is what opens that wave once its pause passed.
 */
export async function rolloutGate(ctx: EngineContext, uow: UnitOfWork, js: Jobstate): Promise<JobstatePatch | null> {
  if (js.wave === undefined) return null;
  const { tx } = uow;
  const open = (run: Run | null) => !run?.rollout || (js.wave as number) <= run.rollout.wave;
  if (open(await readRun(tx, js.runId, false))) return null;
  const run = await readRun(tx, js.runId, true);
  if (open(run)) return null;
  // A jobstate of a run starting (run_queued) may not be written yet: the run's counts would lie.
  if (run?.rollout && js.reason !== 'run_queued' && js.wave === run.rollout.wave + 1) {
    const until = await considerNextWave(ctx, uow, js.runId);
    if (open(run)) return null;
    if (until !== null) return { reason: 'rollout_wave', dueAt: until };
  }
  return { reason: 'rollout_wave', dueAt: null };
}

/**
 * After a jobstate of a rollout run ended: when it was the last open one of the open
 * waves, the next wave opens, waits for its pause, or the run halts.
 */
export async function rolloutAfterEnd(ctx: EngineContext, uow: UnitOfWork, js: Jobstate): Promise<void> {
  if (js.wave === undefined) return;
  await considerNextWave(ctx, uow, js.runId);
}

/**
 * Takes the run's next wave decision (core nextWaveStep) with its row locked. Returns the
 * end of the pause when the next wave waits for it, else null.
 */
async function considerNextWave(ctx: EngineContext, uow: UnitOfWork, runId: string): Promise<number | null> {
  const { tx, emit, now } = uow;
  const run = await readRun(tx, runId, true);
  const rollout = run?.rollout;
  if (run?.status !== 'running' || !rollout || rollout.wave >= rollout.reach.length) return null;
  if ((await tx.rollouts.countOpen(runId, rollout.wave)) > 0) return null;
  const step = nextWaveStep(rollout, await tx.rollouts.tally(runId), now);
  switch (step.kind) {
    case 'open':
      await openWave(ctx, uow, { ...run, rollout }, step.wave);
      return null;
    case 'pause':
      if ((await tx.rollouts.release(runId, rollout.wave + 1, step.until, now)) > 0) emit(WAKE_LOOP);
      return step.until;
    case 'halt': {
      const halted = await endRun(uow, run, HALTED);
      if (halted) Object.assign(run, halted);
      ctx.log.warn(
        `run ${runId}: rollout halted before wave ${rollout.wave + 1}/${rollout.reach.length}: ` +
          `${step.failed} of ${step.ended} targets failed (maxFailures ${rollout.maxFailures})`,
      );
      return null;
    }
    default:
      return null;
  }
}

/** Opens `wave` (compare-and-set on the open waves) and releases its jobstates now; whether it opened. */
async function openWave(
  ctx: EngineContext,
  uow: UnitOfWork,
  run: Run & { rollout: NonNullable<Run['rollout']> },
  wave: number,
): Promise<boolean> {
  const { tx, emit, now } = uow;
  if (!(await tx.rollouts.openWave(run.id, wave))) return false;
  run.rollout.wave = wave;
  await tx.rollouts.release(run.id, wave, now, now);
  emit({ type: 'run', run: { ...run, rollout: { ...run.rollout } } });
  emit(WAKE_LOOP);
  ctx.log.info(`run ${run.id}: rollout wave ${wave}/${run.rollout.reach.length} opened`);
  return true;
}

/** What an operator asks of a rollout run: resume a halted one, or promote (open the next wave now). */
export type RolloutAction = 'resume' | 'promote';

/**
 * Resume re-opens a halted run at its next wave; promote opens the next wave of a running
 * one now, skipping the wait for the open waves and the pause. Either opens the next wave
 * at once, without a threshold check (the operator decided); later waves are checked again.
 * Throws a 409 (stable code) when the run is in no state for it; returns the run as it is then.
 */
export function rolloutAction(ctx: EngineContext, runId: string, action: RolloutAction): Promise<Run> {
  return withTx(ctx, async (uow) => {
    const { tx, now } = uow;
    const run = await readRun(tx, runId, true);
    if (!run) throw new TaskwardenError('not_found', `run ${runId} not found`);
    const rollout = run.rollout;
    const halted = run.status === 'error' && run.statusReason === 'rollout_halted';
    if (action === 'resume' && !halted)
      throw new TaskwardenError('rollout_not_halted', `run ${runId} is ${run.status}, not halted by its rollout`);
    if (action === 'promote' && halted)
      throw new TaskwardenError('rollout_halted', `run ${runId} was halted by its rollout: resume it instead`);
    if (!rollout || rollout.wave >= rollout.reach.length || (!halted && run.status !== 'running'))
      throw new TaskwardenError('rollout_no_next_wave', `run ${runId} has no rollout wave left to open`);
    if (halted) {
      await tx.rollouts.reopenHalted(runId, now);
      Object.assign(run, { status: 'running', statusReason: null, finishedAt: null });
    }
    if (!(await openWave(ctx, uow, { ...run, rollout }, rollout.wave + 1)))
      throw new TaskwardenError('rollout_no_next_wave', `run ${runId}: its next wave opened meanwhile`);
    return run;
  });
}
