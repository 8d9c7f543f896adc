/**
 * Reports on a FusionInventory agent's jobstate go through the engine's agent event path
 * (engine.agents.applyEvents): logs, and the end through the module's `accept` and
 * `endJobstate`, as for Taskwarden agents. The agent numbers nothing, so the server does:
 * each batch takes the seqs after the jobstate's last applied one. Two requests for one
 * jobstate at once (the discovery's scan threads) may pick the same seqs; the engine then
 * applies one batch and skips the other's first events as duplicates, which are sent again
 * with the next seqs.
 */
import { TaskwardenError } from '../../core/errors.ts';
import type { Jobstate } from '../../core/model.ts';
import type { AgentOutcome } from '../../core/ports/module.ts';
import type { Store } from '../../core/ports/store.ts';
import type { AgentEventInput } from '../../engine/agent-events.ts';
import type { Engine } from '../../engine/engine.ts';
import type { AttemptRef } from '../../modules/fusioninventory/ids.ts';

type WithoutSeq<E> = E extends unknown ? Omit<E, 'seq'> : never;
export type JobEvent = WithoutSeq<AgentEventInput>;

export interface EventDeps {
  store: Store;
  engine: Engine;
}

const MAX_ROUNDS = 50;

export async function reportEvents(
  deps: EventDeps,
  agentId: string,
  ref: AttemptRef,
  events: readonly JobEvent[],
): Promise<void> {
  let pending = [...events];
  for (let round = 0; round < MAX_ROUNDS && pending.length > 0; round++) {
    const js = await deps.store.jobstates.get(ref.jobstateId);
    const from = js && js.attempt === ref.attempt ? js.eventSeq : 0;
    const numbered = pending.map((event, i) => ({ ...event, seq: from + 1 + i }) as AgentEventInput);
    const { applied } = await deps.engine.agents.applyEvents(agentId, ref.jobstateId, ref.attempt, numbered);
    const last = pending[pending.length - 1] as JobEvent;
    // Once the end is in, the job is over: lines that lost their seqs to a racing batch cannot follow it.
    if (applied > 0 && (last.type === 'finished' || last.type === 'error')) return;
    // Skipped as duplicates are always the first ones: another batch took their seqs.
    pending = pending.slice(0, pending.length - applied);
  }
  if (pending.length > 0) {
    throw new TaskwardenError(
      'jobstate_reports_racing',
      `reports on jobstate ${ref.jobstateId} keep racing; send them again`,
    );
  }
}

/** The same, for a report that may come after the job ended (timed out, cancelled, lost): then it is dropped. */
export async function reportUnlessEnded(
  deps: EventDeps,
  agentId: string,
  ref: AttemptRef,
  events: readonly JobEvent[],
): Promise<void> {
  try {
    await reportEvents(deps, agentId, ref, events);
  } catch (err) {
    if (!(err instanceof TaskwardenError && (err.code === 'jobstate_ended' || err.code === 'stale_attempt'))) throw err;
  }
}

export function logEvent(line: string, ts: number): JobEvent {
  return { type: 'log', stream: 'info', line, ts };
}

/** The agent's running jobstates of the modules `ofModule` picks (by name), oldest first. */
export async function runningJobs(
  store: Store,
  agentId: string,
  ofModule: (name: string) => boolean,
): Promise<Jobstate[]> {
  const running = await store.jobstates.listForAgent(agentId, { statuses: ['running'], runner: 'agent' }, 1000);
  return running.filter((js) => ofModule(js.module));
}

/** The event that ends a job as a module's FusionInventory hook says it ends. */
export function endEvent(end: AgentOutcome, ts: number): JobEvent {
  if (end.ok) return { type: 'finished', result: end.result, ts };
  return { type: 'error', reason: end.reason ?? 'module_failed', result: end.result, ts };
}

export const refOf = (js: Pick<Jobstate, 'id' | 'attempt'>): AttemptRef => ({ jobstateId: js.id, attempt: js.attempt });
