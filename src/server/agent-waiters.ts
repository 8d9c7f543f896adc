import { type Clock, sleepOn } from '../core/clock.ts';
import type { Engine } from '../engine/engine.ts';
import { AGENT_CHANNEL, parseAgentSignal } from '../engine/peers.ts';

/**
 * Long-polling agents wait here for work. A contact subscribes (`listen`) *before* it
 * looks for prepared jobstates, so work prepared between that look and the wait still
 * wakes it. Behind an interface so a cluster can add cross-node wake-ups (PostgreSQL
 * NOTIFY) by calling `notify` from a subscription, without touching the contact route.
 */
export interface AgentWaiters {
  listen(agentId: string): AgentWaiter;
  /** Something may be prepared for this agent: its waiters return to look. */
  notify(agentId: string): void;
  close(): void;
}

export interface AgentWaiter {
  /**
   * Resolves at the first of: a `notify` for the agent since `listen` (at once if one came
   * already), `ms` of the clock's time, or `signal` aborting.
   */
  wait(ms: number, signal: AbortSignal): Promise<void>;
  /** Stops listening; call it whatever `wait` did. */
  close(): void;
}

/**
 * The waiters of this process, woken by the engine's "prepared for agent X" events and,
 * where the store signals between nodes, by those of every other node (AGENT_CHANNEL).
 */
export class LocalAgentWaiters implements AgentWaiters {
  private readonly byAgent = new Map<string, Set<LocalWaiter>>();
  private readonly unsubscribe: () => void;
  private readonly unsubscribePeers: () => void;

  constructor(
    engine: Engine,
    private readonly clock: Clock,
  ) {
    this.unsubscribe = engine.on((event) => {
      if (event.type !== 'jobstate') return;
      const js = event.jobstate;
      if (js.status === 'prepared' && js.runner === 'agent' && js.agentId !== null) this.notify(js.agentId);
    });
    const peers = engine.ctx.store.signals;
    this.unsubscribePeers =
      peers?.subscribe(AGENT_CHANNEL, (payload) => {
        const { from, agentIds } = parseAgentSignal(payload);
        // This node's own signals come back too: its waiters heard the event already.
        if (from !== engine.nodeId) for (const agentId of agentIds) this.notify(agentId);
      }) ?? (() => {});
  }

  listen(agentId: string): AgentWaiter {
    let listeners = this.byAgent.get(agentId);
    if (!listeners) {
      listeners = new Set();
      this.byAgent.set(agentId, listeners);
    }
    const waiter = new LocalWaiter(this.byAgent, agentId, this.clock);
    listeners.add(waiter);
    return waiter;
  }

  notify(agentId: string): void {
    for (const waiter of this.byAgent.get(agentId) ?? []) waiter.notify();
  }

  /** How many contacts are waiting now (metrics, tests). */
  get waiting(): number {
    let n = 0;
    for (const set of this.byAgent.values()) n += set.size;
    return n;
  }

  close(): void {
    this.unsubscribe();
    this.unsubscribePeers();
    for (const set of this.byAgent.values()) for (const waiter of set) waiter.notify();
    this.byAgent.clear();
  }
}

/**
 * One contact's listening (LocalAgentWaiters.listen): one object per long-poll. A wake ends
 * its wait with a call (sleepOn's wake, on Clock.timer), not an AbortController's abort
 * event: a run over 1,000 waiting agents wakes 1,000 of them at once, and each abort cost
 * some 7 µs more than the call.
 */
class LocalWaiter implements AgentWaiter {
  private fired = false;
  /** Ends the wait under way (its timer, its stop listener); null when none is. */
  private wakeUp: (() => void) | null = null;

  constructor(
    private readonly byAgent: Map<string, Set<LocalWaiter>>,
    private readonly agentId: string,
    private readonly clock: Clock,
  ) {}

  notify(): void {
    this.fired = true;
    this.wakeUp?.();
  }

  async wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.fired) return;
    await sleepOn(this.clock, ms, signal, (wake) => {
      this.wakeUp = wake;
    });
    this.wakeUp = null;
  }

  close(): void {
    const set = this.byAgent.get(this.agentId);
    set?.delete(this);
    if (set?.size === 0) this.byAgent.delete(this.agentId);
  }
}
