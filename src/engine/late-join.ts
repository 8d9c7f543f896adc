// Late joiners (issue 15, part 3; README "Late joiners"): a run whose jobs say
// `targets.lateJoin` stays open that long after it started; an agent that matches later
// (enrolled, given the tag, or seen at its next contact) gets its jobstates then, under the
// run's delays, the task's windows and (tz "agent") its own local time, and the run ends once every jobstate ended and the
// window passed. One jobstate per (run, job, agent) at most: the store's unique key decides,
// so two contacts of one agent on two nodes add it once.

import { jobsToJoin, joinWindowEnd } from '../core/late-join.ts';
import type { Agent, Jobstate, Run, Task } from '../core/model.ts';
import type { StoreSession } from '../core/ports/store.ts';
import { isAgentLocal } from '../core/schedule/agent-local.ts';
import { advanceJobstate } from './advance.ts';
import { type EngineContext, type UnitOfWork, WAKE_LOOP, withTx } from './context.ts';
import type { JoinHint } from './join-hint.ts';
import { localStarts } from './local-time.ts';
import { newJobstate } from './new-jobstate.ts';
import { completeRunIfDone } from './runs.ts';

const CLOSE_BATCH = 100;

/** A run starting now whose jobs take late joiners opens its window; whether it did (it then waits even with no target yet). */
export async function openJoinWindow(tx: StoreSession, task: Task, run: Run, now: number): Promise<boolean> {
  const until = joinWindowEnd(task, now);
  if (until === null) return false;
  await tx.lateJoin.open(run.id, until);
  run.joinUntil = until;
  return true;
}

/**
 * The agent joins every open run of its org whose late-joining jobs select it now, and
 * gets the jobstates it has none of yet; those due now are prepared at once, so a contact
 * that joins also claims them. Returns how many jobstates it got. A caller that has the
 * agent (a contact) passes it with the engine's `hint`: the usual "nothing open" then costs
 * no read while the org is known quiet (join-hint.ts), one read otherwise.
 */
export async function joinLate(
  ctx: EngineContext,
  who: string | Pick<Agent, 'id' | 'orgId'>,
  hint: JoinHint | null = null,
): Promise<number> {
  const known = typeof who === 'string' ? await ctx.store.agents.get(who) : who;
  if (!known || (hint && !hint.mayBeOpen(known.orgId))) return 0;
  const look = hint?.look();
  if ((await ctx.store.lateJoin.openRuns(known.orgId, ctx.clock.now())).length === 0) {
    if (look) hint?.quietSince(known.orgId, look);
    return 0;
  }
  const agentId = known.id;
  return withTx(ctx, async (uow) => {
    const agent = await uow.tx.agents.get(agentId);
    if (!agent?.enabled) return 0;
    let joined = 0;
    for (const run of await uow.tx.lateJoin.openRuns(agent.orgId, uow.now)) {
      joined += await joinRun(ctx, uow, { run, agent });
    }
    if (joined > 0) uow.emit(WAKE_LOOP);
    return joined;
  });
}

async function joinRun(ctx: EngineContext, uow: UnitOfWork, joining: { run: Run; agent: Agent }): Promise<number> {
  const { tx, emit, now } = uow;
  const { run, agent } = joining;
  const task = await uow.reads.task(run.taskId);
  // A task changed since the run began may have other jobs: the run takes no one more.
  if (!task || task.version !== run.taskVersion) return 0;
  const has = new Set(await tx.lateJoin.jobsOf(run.id, agent.id));
  const wanted = jobsToJoin(task, run, agent, now).filter((index) => !has.has(index));
  if (wanted.length === 0 || !(await tx.lateJoin.hold(run.id, now))) return 0;
  // A late joiner of a staged rollout goes to the wave open now (read under the run's lock).
  const openWave = run.rollout ? (await tx.runs.get(run.id))?.rollout?.wave : undefined;
  const joiners = wanted.map((index) => lateJobstate(ctx, task, run, agent, index, now));
  if (openWave !== undefined) for (const js of joiners) js.wave = openWave;
  // tz "agent": like the run's own targets, a joiner's first job waits for the firing's wall time in its zone.
  const placed = isAgentLocal(task.schedule) ? await uow.reads.siblings(run.id) : [];
  const local = await localStarts(ctx, tx, { task, run, jobstates: joiners, placed, now });
  for (const js of joiners) {
    const at = local.get(js.id);
    if (at !== undefined && at > (js.dueAt ?? now)) Object.assign(js, { dueAt: at, reason: 'local_time' });
  }
  const written = await tx.lateJoin.insert(joiners);
  // `placed` is the transaction's read of the run (TxReads), which advancing a joiner
  // consults for its previous job: it holds the joiners from now on (copies: advancing
  // updates the cached row, not the one emitted above).
  placed.push(...written.map((js) => ({ ...js })));
  for (const js of written) {
    emit({ type: 'jobstate', jobstate: js });
    if (js.dueAt !== null && js.dueAt <= now) await advanceJobstate(ctx, uow, js);
  }
  return written.length;
}

/** A late joiner's jobstate: due at its job's delay after the run started (now, when that passed), as a run's own. */
function lateJobstate(ctx: EngineContext, task: Task, run: Run, agent: Agent, jobIndex: number, now: number): Jobstate {
  const job = task.jobs[jobIndex] as Task['jobs'][number];
  const dueAt = Math.max(now, (run.startedAt ?? now) + job.delaySeconds * 1000);
  const js = newJobstate(ctx, { task, run, jobIndex, agentId: agent.id, now });
  return { ...js, orgId: run.orgId, reason: dueAt > now ? 'delay' : 'run_queued', dueAt };
}

/** Closes the join windows that passed, and ends their runs whose jobstates all ended. Returns how many runs ended. */
export async function closeJoinWindows(ctx: EngineContext): Promise<number> {
  return withTx(ctx, async (uow) => {
    let ended = 0;
    for (const run of await uow.tx.lateJoin.closeDue(uow.now, CLOSE_BATCH)) {
      if (await completeRunIfDone(uow, run.id, await uow.tx.tasks.get(run.taskId))) ended++;
    }
    return ended;
  });
}
