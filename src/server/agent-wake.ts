import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../core/clock.ts';
import type { Jobstate, Task } from '../core/model.ts';
import type { Store } from '../core/ports/store.ts';
import type { Engine } from '../engine/engine.ts';
import { wakeHeaders } from '../protocol/wake-signature.ts';

export const WAKE_TIMEOUT_MS = 5_000;
/** Task modes remembered between wakes; past this many the memo starts over. */
const MAX_REMEMBERED_TASKS = 10_000;

type TaskMode = Pick<Task, 'mode'>;

/**
 * Push mode (FusionInventory's wake-up): when a jobstate of a `push` task becomes prepared
 * for an agent, the agent is woken with a signed `POST <wakeUrl>/wake` (protocol/agent.ts),
 * 5 s timeout, so it contacts the server at once. Jobstates prepared for one agent while a
 * wake is on its way share the next one. A failed wake goes to the engine
 * (`agents.wakeFailed`): logged, recorded on the agent, and the jobstate ends
 * agent_unreachable unless its task falls back to pull.
 */
export class AgentWaker {
  private readonly pending = new Map<string, Set<string>>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly modes = new Map<string, TaskMode | null>();
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: { engine: Engine; store: Store; clock: Clock; log: FastifyBaseLogger }) {
    this.unsubscribe = deps.engine.on((event) => {
      if (event.type === 'task') this.modes.delete(event.taskId);
      if (event.type === 'jobstate' && isPreparedForAgent(event.jobstate)) this.enqueue(event.jobstate);
    });
  }

  /** Resolves once every wake asked for so far has been sent and handled. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  close(): Promise<void> {
    this.unsubscribe();
    return this.idle();
  }

  private enqueue(js: Jobstate): void {
    // A task known not to push (the usual case; undefined: not read yet) wakes nobody: no drain, no turn.
    const known = this.modes.get(js.taskId);
    if (known !== undefined && known?.mode !== 'push') return;
    const agentId = js.agentId as string;
    let ids = this.pending.get(agentId);
    if (!ids) {
      ids = new Set();
      this.pending.set(agentId, ids);
    }
    ids.add(`${js.taskId}/${js.id}`);
    this.schedule(agentId);
  }

  /** One drain per agent at a time; whatever arrived after it looked is drained next. */
  private schedule(agentId: string): void {
    if (this.running.has(agentId) || !this.pending.has(agentId)) return;
    const drained = this.drain(agentId)
      .catch((err: unknown) => this.deps.log.warn({ err, agentId }, 'agent wake failed unexpectedly'))
      .finally(() => {
        this.running.delete(agentId);
        this.schedule(agentId);
      });
    this.running.set(agentId, drained);
  }

  private async drain(agentId: string): Promise<void> {
    // Let the rest of this burst of prepared events (one run, many jobs) join the wake.
    await new Promise((resolve) => setImmediate(resolve));
    for (let keys = this.take(agentId); keys.length > 0; keys = this.take(agentId)) {
      const pushed: string[] = [];
      for (const key of keys) {
        const [taskId, id] = key.split('/') as [string, string];
        if ((await this.modeOf(taskId))?.mode === 'push') pushed.push(id);
      }
      if (pushed.length > 0) await this.wake(agentId, pushed);
    }
  }

  private take(agentId: string): string[] {
    const keys = [...(this.pending.get(agentId) ?? [])];
    this.pending.delete(agentId);
    return keys;
  }

  private async wake(agentId: string, jobstateIds: string[]): Promise<void> {
    const { store, engine } = this.deps;
    const agent = await store.agents.get(agentId);
    if (!agent) return;
    const failure = agent.wakeUrl === null ? 'the agent gave no wake URL (it does not listen)' : await this.post(agent);
    if (failure === null) await engine.agents.wakeSucceeded(agent);
    else await engine.agents.wakeFailed(agentId, jobstateIds, failure);
  }

  /** Sends the wake; null when the agent accepted it, else why not. */
  private async post(agent: { id: string; secretHash: string; wakeUrl: string | null }): Promise<string | null> {
    const url = `${(agent.wakeUrl as string).replace(/\/+$/, '')}/wake`;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: wakeHeaders(agent.secretHash, agent.id, this.deps.clock.now()),
        signal: AbortSignal.timeout(WAKE_TIMEOUT_MS),
      });
      await response.body?.cancel();
      return response.ok ? null : `${url} answered HTTP ${response.status}`;
    } catch (err) {
      return `${url}: ${causeOf(err)}`;
    }
  }

  private async modeOf(taskId: string): Promise<TaskMode | null> {
    if (this.modes.has(taskId)) return this.modes.get(taskId) ?? null;
    if (this.modes.size >= MAX_REMEMBERED_TASKS) this.modes.clear();
    const task = await this.deps.store.tasks.get(taskId);
    const mode = task ? { mode: task.mode } : null;
    this.modes.set(taskId, mode);
    return mode;
  }
}

function isPreparedForAgent(js: Jobstate): boolean {
  return js.status === 'prepared' && js.runner === 'agent' && js.agentId !== null;
}

function causeOf(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return `no answer within ${WAKE_TIMEOUT_MS / 1000} s`;
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as (Error & { code?: string }) | undefined;
  return cause?.code ?? cause?.message ?? err.message;
}
