import type { StoreSignals } from '../core/ports/store.ts';
import type { EngineEvent } from './context.ts';

/** Nodes sharing the store wake each other's loop here: "something may be due now". */
export const WAKE_CHANNEL = 'taskwarden_wake';
/** "Server jobstates were prepared": the other nodes' executors claim, their loops sleep on. */
export const WORK_CHANNEL = 'taskwarden_work';
/** `<node id>;<agent id>,<agent id>…`: agents with work prepared, whose long-polls, on any node, look again. */
export const AGENT_CHANNEL = 'taskwarden_agent';
/** Signals of one kind within this window are sent as one: a run of 10,000 jobs is not 10,000 NOTIFYs. */
export const COALESCE_MS = 50;
/** Agent ids per signal: UUIDs and commas stay well under NOTIFY's 8000-byte payload limit. */
const AGENT_IDS_PER_SIGNAL = 150;

/**
 * Wakes the other nodes when this one creates or changes work they may act on — their loop
 * for a task written (its trigger moved) or a run to start, their executor for a jobstate
 * prepared for the server — and tells every node's agent long-polls which agents got work.
 * Best effort: a lost signal costs the other nodes one poll interval (maxSleepMs), nothing more.
 *
 * Signals are throttled: the first goes at once, later ones within COALESCE_MS are merged
 * into one sent when the window closes. A node ignores its own wakes (it woke itself already).
 */
export class PeerSignals {
  private readonly wake = new Throttle(() => this.publish(WAKE_CHANNEL, this.nodeId));
  private readonly work = new Throttle(() => this.publish(WORK_CHANNEL, this.nodeId));
  private readonly agentIds = new Set<string>();
  private readonly agents = new Throttle(() => this.publishAgents());

  constructor(
    private readonly signals: StoreSignals,
    private readonly nodeId: string,
  ) {}

  /** Looks at an engine event (after its transaction committed) and signals what others may act on. */
  observe(event: EngineEvent): void {
    if (event.type === 'task' && event.action !== 'delete') this.wake.request();
    else if (event.type === 'run' && event.run.status === 'pending') this.wake.request();
    // A run with a join window: the other nodes' contacts look for it again (join-hint.ts).
    else if (event.type === 'run' && event.run.joinUntil != null) this.wake.request();
    else if (event.type === 'jobstate' && event.jobstate.status === 'prepared') {
      const js = event.jobstate;
      if (js.runner === 'server') this.work.request();
      else if (js.agentId !== null) {
        this.agentIds.add(js.agentId);
        this.agents.request();
      }
    }
  }

  /** Calls `wake` (the loop) or `work` (the executor) when another node signals; returns the unsubscribe. */
  listen(wake: () => void, work: () => void = wake): () => void {
    const offWake = this.signals.subscribe(WAKE_CHANNEL, (from) => {
      if (from !== this.nodeId) wake();
    });
    const offWork = this.signals.subscribe(WORK_CHANNEL, (from) => {
      if (from !== this.nodeId) work();
    });
    return () => {
      offWake();
      offWork();
    };
  }

  /** Drops what is still waiting for its window. */
  close(): void {
    this.wake.cancel();
    this.work.cancel();
    this.agents.cancel();
    this.agentIds.clear();
  }

  private publishAgents(): void {
    const ids = [...this.agentIds];
    this.agentIds.clear();
    for (let i = 0; i < ids.length; i += AGENT_IDS_PER_SIGNAL) {
      this.publish(AGENT_CHANNEL, `${this.nodeId};${ids.slice(i, i + AGENT_IDS_PER_SIGNAL).join(',')}`);
    }
  }

  private publish(channel: string, payload: string): void {
    // A database that is away loses the signal; the engine loop reports the outage itself.
    this.signals.publish(channel, payload).catch(() => {});
  }
}

/** Reads an AGENT_CHANNEL payload: the node that sent it and the agents it names. */
export function parseAgentSignal(payload: string): { from: string; agentIds: string[] } {
  const split = payload.indexOf(';');
  return {
    from: payload.slice(0, Math.max(0, split)),
    agentIds: payload
      .slice(split + 1)
      .split(',')
      .filter((id) => id !== ''),
  };
}

/** Runs `fire` at once, then at most once per COALESCE_MS for the requests made meanwhile. */
class Throttle {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private requested = false;

  constructor(private readonly fire: () => void) {}

  request(): void {
    if (this.timer) {
      this.requested = true;
      return;
    }
    this.fire();
    // Real time, not the engine clock: this paces network traffic, it schedules nothing.
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.requested) {
        this.requested = false;
        this.request();
      }
    }, COALESCE_MS);
    this.timer.unref?.();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.requested = false;
  }
}
