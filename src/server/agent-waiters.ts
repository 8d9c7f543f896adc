import type { Clock } from '../core/clock.ts';
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

/** Why a wait ended early: a plain value, so no DOMException (and its stack) is made per wake. */
const WOKEN = 'woken';

/**
 * The waiters of this process, woken by the engine's "prepared for agent X" events and,
 * where the store signals between nodes, by those of every other node (AGENT_CHANNEL).
 */
export class LocalAgentWaiters implements AgentWaiters {
  private readonly byAgent = new Map<string, Set<() => void>>();
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
    let fired = false;
    // Made only by a wait: most looks find work, or nothing to wait for, and never wait.
    let wakeUp: AbortController | null = null;
    const onNotify = () => {
      fired = true;
      wakeUp?.abort(WOKEN);
    };
    let listeners = this.byAgent.get(agentId);
    if (!listeners) {
      listeners = new Set();
      this.byAgent.set(agentId, listeners);
    }
    listeners.add(onNotify);
    const close = () => {
      const set = this.byAgent.get(agentId);
      set?.delete(onNotify);
      if (set?.size === 0) this.byAgent.delete(agentId);
    };
    return {
      wait: async (ms, signal) => {
        if (fired || signal.aborted) return;
        const waking = new AbortController();
        wakeUp = waking;
        // The caller's stop ends the sleep through the same signal: no AbortSignal.any per wait.
        const onStop = () => waking.abort(WOKEN);
        signal.addEventListener('abort', onStop, { once: true });
        try {
          await this.clock.sleep(Math.max(0, ms), waking.signal);
        } finally {
          signal.removeEventListener('abort', onStop);
        }
      },
      close,
    };
  }

  notify(agentId: string): void {
    for (const onNotify of this.byAgent.get(agentId) ?? []) onNotify();
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
    for (const set of this.byAgent.values()) for (const onNotify of set) onNotify();
    this.byAgent.clear();
  }
}
