import type { Clock } from '../core/clock.ts';
import type { Agent } from '../core/model.ts';
import type { AgentPatch } from '../core/ports/store.ts';
import { checkTimeZone } from '../core/schedule/agent-local.ts';
import type { AgentWork } from '../engine/agents.ts';
import type { Engine } from '../engine/engine.ts';
import type { ContactBody } from '../protocol/agent.ts';
import type { AgentWaiters } from './agent-waiters.ts';
import { checkWakeUrl } from './wake-url.ts';

/** Jobs an agent takes per contact when it does not say. */
export const DEFAULT_CAPACITY = 1;
/** lastContactAt is rewritten at most this often when nothing else changed: a contact is not a write. */
const CONTACT_TOUCH_MS = 5_000;

export interface Contact {
  agent: Agent;
  body: ContactBody;
  /** The address the request came from: the only place a wake URL may point at. */
  from: string;
  now: number;
}

/** What recordContact did: the agent as it is now, and the touch of its last contact left to the claim. */
export interface ContactRecord {
  agent: Agent;
  /** `lastContactAt` to write with the contact's first claim (with its batch's others, in one statement), or null. */
  touchAt: number | null;
}

/**
 * Remembers what the agent said about itself (version, modules, wake URL) and when it
 * called. What changed is written at once, so what the contact does next (a late join in
 * the agent's time zone) sees it; a bare touch of `lastContactAt` (the usual case, at most
 * every CONTACT_TOUCH_MS) is left to the contact's claim, which writes it in its own
 * transaction. Returns the agent as it is now.
 */
export async function recordContact(engine: Engine, { agent, body, from, now }: Contact): Promise<ContactRecord> {
  const patch: AgentPatch = {};
  if (body.version !== agent.version) patch.version = body.version;
  if (JSON.stringify(body.modules) !== JSON.stringify(agent.modules)) patch.modules = body.modules;
  if (body.wakeUrl !== undefined) {
    const wakeUrl = checkWakeUrl(body.wakeUrl, { field: 'wakeUrl', from });
    if (wakeUrl !== agent.wakeUrl) patch.wakeUrl = wakeUrl;
  }
  if (body.timezone !== undefined) {
    const timezone = checkTimeZone(body.timezone, 'timezone');
    if (timezone !== agent.timezone) patch.timezone = timezone;
  }
  const changed = Object.keys(patch).length > 0;
  if (changed) {
    patch.lastContactAt = now;
    await engine.agents.recordContact(agent.id, patch);
    return { agent: { ...agent, ...patch }, touchAt: null };
  }
  if (agent.lastContactAt !== null && now - agent.lastContactAt < CONTACT_TOUCH_MS) return { agent, touchAt: null };
  return { agent: { ...agent, lastContactAt: now }, touchAt: now };
}

/**
 * The long-poll: claims what is prepared for the agent, or waits (up to `waitSeconds` of
 * monotonic time) until the engine prepares something for it, then claims. It listens
 * before each look, so work prepared in between is not missed. `stop` (the client went
 * away, the server is closing) ends the wait without claiming: nobody would receive it.
 * `holding` (the jobstates the agent says it runs) are not handed to it again. `touchAt`
 * (recordContact) goes with the first look, or alone when there is nothing to look for.
 */
export async function claimOrWait(
  deps: { engine: Engine; clock: Clock; waiters: AgentWaiters },
  agent: Pick<Agent, 'id' | 'modules'>,
  wanted: { capacity: number; waitSeconds: number; holding: readonly string[]; touchAt?: number | null },
  stop: AbortSignal,
): Promise<AgentWork[]> {
  const { capacity, waitSeconds, holding } = wanted;
  let touchAt = wanted.touchAt ?? null;
  if (capacity <= 0 || stop.aborted) {
    if (touchAt !== null) await deps.engine.agents.recordContact(agent.id, { lastContactAt: touchAt });
    return [];
  }
  const deadline = deps.clock.monotonic() + waitSeconds * 1000;
  for (;;) {
    if (stop.aborted) return [];
    const waiter = deps.waiters.listen(agent.id);
    try {
      const jobs = await deps.engine.agents.claim(agent, capacity, { holding, touchAt, stop });
      touchAt = null;
      const left = deadline - deps.clock.monotonic();
      if (jobs.length > 0 || left <= 0) return jobs;
      await waiter.wait(left, stop);
    } finally {
      waiter.close();
    }
  }
}

/** Why a contact's stop aborted: plain values, so no DOMException (and its stack) is made per contact. */
const CLIENT_GONE = 'client gone';
const SERVER_CLOSING = 'server closing';

/**
 * One contact's stop (ContactStops.open): aborted when its client goes away while it is
 * still under way. A class rather than closures: every contact makes one.
 */
export class ContactStop {
  private readonly controller = new AbortController();

  constructor(private readonly live: Set<AbortController> | null) {
    if (live) live.add(this.controller);
    else this.controller.abort(SERVER_CLOSING);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Its client went away: aborts the contact if it is still under way. */
  gone(): void {
    if (this.live?.delete(this.controller)) this.controller.abort(CLIENT_GONE);
  }

  /** Its answer is ready: nothing is left to abort. */
  end(): void {
    this.live?.delete(this.controller);
  }
}

/**
 * What ends the contacts' long-polls early: their client going away, or the server
 * closing. One listener on `closing` serves every contact (no AbortSignal.any per contact),
 * and a contact is aborted only while it is under way: the close that follows every sent
 * reply aborts nothing.
 */
export class ContactStops {
  private readonly live = new Set<AbortController>();

  constructor(private readonly closing: AbortSignal) {
    closing.addEventListener(
      'abort',
      () => {
        for (const controller of this.live) controller.abort(SERVER_CLOSING);
        this.live.clear();
      },
      { once: true },
    );
  }

  open(): ContactStop {
    return new ContactStop(this.closing.aborted ? null : this.live);
  }
}
