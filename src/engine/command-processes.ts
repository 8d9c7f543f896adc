import { newId } from '../core/ids.ts';
import type { Jobstate } from '../core/model.ts';
import { type JobProcesses, type LocalProcesses, PROCESS_MARK_VARIABLE } from '../core/ports/processes.ts';
import type { CommandProcessRecord } from '../core/ports/store.ts';
import type { EngineContext } from './context.ts';
import { reportOutcome } from './outcomes.ts';

/** SIGTERM, then SIGKILL this long after, for what a dead node left running. */
export const LEFTOVER_KILL_GRACE_MS = 2_000;

/**
 * Exactly one copy of a server command runs at a time, on one machine. A program a server
 * job starts is recorded in the store before it is spawned (its mark, the node process that
 * starts it, this machine and the job attempt), then its process group once spawned. A
 * node that starts on a machine kills, before it resumes any job, what a dead node process
 * of this machine left running — only processes it can prove are those (recorded group
 * leader with its start time, or the mark in their environment) — and only then ends that
 * attempt `interrupted`, so a retry never starts beside its leftover. A node that takes
 * over a jobstate whose lease lapsed does the same when the dead node ran on its machine.
 *
 * What is not guaranteed: a node cannot signal another machine's processes. When a node on
 * another machine dies, or freezes (SIGSTOP, a paused VM) past its lease, its jobstates are
 * taken over and retried here while its program may still run there. Its own side bounds
 * that: a node that finds at its heartbeat that it lost a lease stops that program at once
 * (the chunk is aborted, which kills its group), and a node restarted after a crash kills
 * what its predecessor left before doing anything else.
 */
export function jobProcesses(
  ctx: EngineContext,
  js: Pick<Jobstate, 'id' | 'attempt'>,
  leaseOwner: string,
  persist: <T>(call: () => Promise<T>) => Promise<T>,
): JobProcesses | undefined {
  const local = ctx.processes;
  const machine = local?.machine;
  if (!local || !machine) return undefined;
  const mark = newId();
  return {
    async launching() {
      ctx.crashAt('command-claimed');
      const owner = local.self();
      const record: CommandProcessRecord = {
        jobstateId: js.id,
        attempt: js.attempt,
        leaseOwner,
        ...machine,
        ownerPid: owner.pid,
        ownerStartTicks: owner.startTicks,
        mark,
        pgid: null,
        startTicks: null,
        createdAt: ctx.clock.now(),
      };
      await persist(() => ctx.store.commandProcesses.add(record));
      return { [PROCESS_MARK_VARIABLE]: mark };
    },
    async started(pid) {
      ctx.crashAt('command-spawned');
      // Gone already (it exited at once): nothing left to find by its group; the mark stays recorded.
      const leader = local.identify(pid);
      if (!leader) return;
      const group = { pgid: pid, startTicks: leader.startTicks };
      await persist(() => ctx.store.commandProcesses.setGroup(js.id, js.attempt, group));
    },
    async ended() {
      try {
        await persist(() => ctx.store.commandProcesses.remove(js.id, js.attempt));
      } catch (err) {
        // A record left behind finds nothing to kill later (its processes are gone, a recycled pid is told apart).
        const why = err instanceof Error ? err.message : String(err);
        ctx.log.warn(`jobstate ${js.id}: the record of its ended program could not be dropped (${why})`);
      }
    },
  };
}

/**
 * At node start, before any job resumes: every program recorded on this machine by a node
 * process that is no longer alive is killed, and the attempt that started it, if still
 * running, ends `interrupted` (retried per policy) once nothing of it runs.
 */
export async function stopLeftoverPrograms(ctx: EngineContext): Promise<number> {
  const local = ctx.processes;
  if (!local) return 0;
  if (!local.machine) {
    ctx.log.warn(
      'this platform has no /proc: the programs of server commands are not tracked, and a restart ' +
        'after a crash may run a command again while its first copy still runs',
    );
    return 0;
  }
  let stopped = 0;
  for (const record of await ctx.store.commandProcesses.listOnHost(local.machine.hostname)) {
    if (await stopIfLeftover(ctx, local, record)) stopped++;
  }
  return stopped;
}

/**
 * A jobstate whose lease lapsed is about to be recovered: if its attempt's program was
 * started on this machine by a node process that is gone, that program is killed first.
 */
export async function stopProgramOf(ctx: EngineContext, js: Pick<Jobstate, 'id' | 'attempt'>): Promise<void> {
  const local = ctx.processes;
  if (!local?.machine) return;
  const record = await ctx.store.commandProcesses.get(js.id, js.attempt);
  if (record?.hostname === local.machine.hostname) await stopIfLeftover(ctx, local, record);
}

/** Kills what is left of a record whose node process is gone, ends its attempt, drops the record. */
async function stopIfLeftover(
  ctx: EngineContext,
  local: LocalProcesses,
  record: CommandProcessRecord,
): Promise<boolean> {
  const sameBoot = record.bootId === local.machine?.bootId;
  const owner = local.identify(record.ownerPid);
  // A live node on this machine (this process included) looks after its own programs.
  if (sameBoot && owner?.startTicks === record.ownerStartTicks) return false;
  const what = `jobstate ${record.jobstateId} attempt ${record.attempt}`;
  // After a reboot nothing of it runs any more: there is nothing to kill.
  const { found, survivors } = sameBoot
    ? await local.stopGroup(record, LEFTOVER_KILL_GRACE_MS)
    : { found: 0, survivors: [] };
  if (found > 0) ctx.log.warn(`${what}: killed ${found} process(es) its dead node left running`);
  if (survivors.length > 0) ctx.log.warn(`${what}: processes ${survivors.join(', ')} could not be killed`);
  const js = await ctx.store.jobstates.get(record.jobstateId);
  if (js?.status === 'running' && js.attempt === record.attempt && js.leaseOwner === record.leaseOwner) {
    const line = `interrupted: the node running this command stopped; ${found} leftover process(es) killed`;
    const lines = [{ ts: ctx.clock.now(), stream: 'info' as const, line }];
    const outcome = { ok: false, reason: 'interrupted' as const, result: { error: line }, lines };
    await reportOutcome(ctx, js, outcome, { status: ['running'], leaseOwner: record.leaseOwner });
  }
  await ctx.store.commandProcesses.remove(record.jobstateId, record.attempt);
  return true;
}
