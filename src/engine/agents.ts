import { moveJobstate } from '../core/lifecycle.ts';
import { type Agent, type Jobstate, type JobstateReason, OPEN_JOBSTATE_STATUSES } from '../core/model.ts';
import type { AgentPatch, RunningOnAgent } from '../core/ports/store.ts';
import { TurnReads } from '../core/turn-reads.ts';
import { type AgentEventInput, applyAgentEvents, type EventsApplied, type EventsBatching } from './agent-events.ts';
import type { EngineContext } from './context.ts';
import { type BatchedClaim, GroupCommit } from './group-commit.ts';
import { HandedOut } from './handed-out.ts';
import { awaitsLateReport } from './late-reports.ts';
import { reportOutcome } from './outcomes.ts';

/** One job handed to an agent at contact (protocol/agent.ts AgentJob). */
export interface AgentWork {
  jobstate: string;
  attempt: number;
  module: string;
  params: Record<string, unknown>;
  /** What the module's server half prepared (`payload`), null when it has none. */
  payload: unknown;
  timeoutSeconds: number;
}

/** What a contact's claim carries besides its capacity. */
export interface ClaimContact {
  /** Jobstates the agent says it runs: not handed to it again. */
  holding?: readonly string[];
  /** Its contact's time, which its record leaves to the claim to write as `lastContactAt` (server/agent-contact.ts). */
  touchAt?: number | null;
  /** Aborted (the client went away, the server is closing) before its batch claims: nothing is claimed. */
  stop?: AbortSignal;
}

/** Jobstates read per pass when an agent's list is walked (reconcile, delete). */
const BATCH = 1000;
/** Delete re-reads what is still open this many times: a jobstate may move while it is ended. */
const DELETE_ROUNDS = 10;

/**
 * The engine's side of the agent protocol. Every jobstate an agent touches ends through
 * endJobstate (outcomes.ts), with the retry policy of its job, exactly as server jobs do.
 */
export class AgentDispatch {
  /**
   * The agents' writes (claims, events, contact records) of the moment share transactions:
   * a thousand agents calling at once pay a few dozen commits, not a thousand.
   */
  private readonly commits: GroupCommit;
  /** The jobstates the events calls of one turn read, in one statement (a round trip each on PostgreSQL). */
  private readonly eventsReads: TurnReads<Jobstate>;
  /** What runs on the agents whose contacts came in one turn, in one statement. */
  private readonly runningReads: TurnReads<RunningOnAgent[]>;
  /** How every events call reads and writes: one object for them all, not one per call. */
  private readonly eventsBatching: EventsBatching;
  /** What was just handed out, for the first events call of each job to read without a statement. */
  private readonly handedOut = new HandedOut();

  constructor(private readonly ctx: EngineContext) {
    this.commits = new GroupCommit(ctx);
    this.eventsReads = new TurnReads(async (ids) => {
      const found = await ctx.store.jobstates.getMany(ids);
      return new Map(found.map((js) => [js.id, js]));
    });
    this.runningReads = new TurnReads((agentIds) => ctx.store.jobstates.listRunningOnAgents(agentIds));
    this.eventsBatching = {
      read: (id) => {
        const js = this.handedOut.take(id);
        return js ? Promise.resolve(js) : this.eventsReads.get(id);
      },
      commit: (write, batchedWith) => this.commits.write(write, batchedWith),
    };
  }

  /**
   * Claims up to `capacity` of the agent's prepared jobstates and builds what the agent
   * receives: the module's `payload` (a command's rendered argv…), so the agent never sees
   * anything to interpret. A job the agent or the server cannot run ends at once, with why.
   * Jobstates the agent says it still holds (`holding`, its contact's running list) are not
   * handed to it again: a retry after the server gave up on an attempt waits for the agent
   * to report (or drop) that attempt, so one job never runs twice at once there. `touchAt`
   * (a contact's lastContactAt) is written with the claims of its batch: one statement for
   * the batch's contacts (GroupCommit), not one each.
   */
  async claim(
    agent: Pick<Agent, 'id' | 'modules'>,
    capacity: number,
    contact: ClaimContact = {},
  ): Promise<AgentWork[]> {
    const { holding = [], touchAt = null, stop } = contact;
    if (capacity <= 0 || stop?.aborted) return [];
    await this.ctx.settleClock(); // a start stamped in the new time must not be moved by the jump
    // Claimed with the other claims of its batch (GroupCommit): one claim of them all.
    const batched: BatchedClaim = { agentId: agent.id, capacity, skip: holding, stop, touchAt, claimed: [] };
    await this.commits.write(null, { claim: batched });
    const { claimed } = batched;
    if (claimed.length > 0) this.ctx.crashAt('agent-claimed');
    const work: AgentWork[] = [];
    for (const js of claimed) {
      // Copied before a module's payload is given the row: what it may change there is not what the events call reads.
      const handed = { ...js };
      const job = await this.prepare(agent, js);
      if (!job) continue;
      work.push(job);
      this.handedOut.keep(handed);
    }
    return work;
  }

  applyEvents(
    agentId: string,
    jobstateId: string,
    attempt: number,
    events: readonly AgentEventInput[],
  ): Promise<EventsApplied> {
    return applyAgentEvents(this.ctx, { agentId, jobstateId, attempt, events }, this.eventsBatching);
  }

  /** Writes what a contact changed on its agent (its version, modules, last contact…); false when the agent is gone. */
  recordContact(agentId: string, patch: AgentPatch): Promise<boolean> {
    return this.commits.write((uow) => uow.tx.agents.update(agentId, patch));
  }

  /**
   * Compares what the agent says it runs with what the server thinks it runs. A jobstate
   * claimed before this contact (`contactAt`) but missing from the agent's list was lost
   * (the agent restarted, or never got the reply that handed it out). With `reoffer` (the
   * agent says its previous contact got no answer, and its list names every job it holds
   * until the server has its outcome), one it never reported a single event of (eventSeq
   * 0) is taken back to prepared: it was in that lost answer and never ran, so this contact
   * offers it again. Any other ends `agent_lost` and retries per policy. Listed ids the server does
   * not see running on this agent are returned: the agent must stop them (cancelled, lost,
   * reassigned) — but not an attempt the server gave up on for want of a report
   * (awaitsLateReport): the agent may still be running it, or hold its outcome, and that
   * report is still wanted.
   */
  async reconcile(
    agentId: string,
    running: readonly string[],
    contactAt: number,
    opts: { reoffer?: boolean } = {},
  ): Promise<string[]> {
    const { store } = this.ctx;
    const onServer = (await this.runningReads.get(agentId)) ?? [];
    const reported = new Set(running);
    for (const head of onServer) {
      if (reported.has(head.id) || !claimedBefore(head, contactAt)) continue;
      // The whole row for what the end needs (its job, attempt), as it is now.
      const js = await store.jobstates.get(head.id);
      if (js?.status !== 'running' || !claimedBefore(js, contactAt)) continue;
      if (opts.reoffer && js.eventSeq === 0 && (await this.unclaim(js))) continue;
      await this.end(js, 'agent_lost', 'the agent no longer runs this job (it restarted or lost it)', ['running']);
    }
    const stillRunning = new Set(onServer.map((js) => js.id));
    const stop: string[] = [];
    for (const id of reported) {
      if (stillRunning.has(id)) continue;
      const js = await store.jobstates.get(id);
      if (!js || js.agentId !== agentId || !awaitsLateReport(js)) stop.push(id);
    }
    return stop;
  }

  /**
   * Deletes an agent: disabled first, so no new run names it, then each of its open
   * jobstates ends `error` reason agent_lost without retry (there is no agent to retry
   * on), then the record goes.
   */
  async deleteAgent(agentId: string): Promise<void> {
    const { store } = this.ctx;
    await store.agents.update(agentId, { enabled: false });
    for (let round = 0; round < DELETE_ROUNDS; round++) {
      const open = await store.jobstates.listForAgent(agentId, { statuses: OPEN_JOBSTATE_STATUSES }, BATCH);
      if (open.length === 0) break;
      for (const js of open) await this.end(js, 'agent_lost', 'its agent was deleted', [js.status], false);
    }
    await store.agents.delete(agentId);
  }

  /**
   * A push wake of the agent failed: recorded on the agent (diagnostics) and on each
   * jobstate's log. Unless its task falls back to pull, the jobstate ends `error` reason
   * agent_unreachable (retried per policy, which wakes again); with fallback pull it stays
   * prepared for the agent's next contact.
   */
  async wakeFailed(agentId: string, jobstateIds: readonly string[], message: string): Promise<void> {
    const { store, clock } = this.ctx;
    await store.agents.update(agentId, { lastWakeError: message, lastWakeErrorAt: clock.now() });
    for (const id of jobstateIds) {
      const js = await store.jobstates.get(id);
      if (js?.status !== 'prepared') continue;
      const task = await store.tasks.get(js.taskId);
      if (task?.fallback === 'pull') {
        const line = `wake failed: ${message}; waiting for the agent's next contact (fallback pull)`;
        await store.logs.append(js.id, js.attempt, [{ ts: clock.now(), stream: 'info', line }]);
      } else {
        await this.end(js, 'agent_unreachable', `wake failed: ${message}`, ['prepared']);
      }
    }
  }

  /** A wake got through: the agent's last wake error no longer explains anything. */
  async wakeSucceeded(agent: Pick<Agent, 'id' | 'lastWakeError'>): Promise<void> {
    if (agent.lastWakeError === null) return;
    await this.ctx.store.agents.update(agent.id, { lastWakeError: null, lastWakeErrorAt: null });
  }

  /**
   * Undoes a claim whose reply never reached the agent: back to prepared, same attempt, as
   * long as no event of it arrived meanwhile (the fence). False when it moved on.
   */
  private async unclaim(js: Jobstate): Promise<boolean> {
    const now = this.ctx.clock.now();
    const { patch, guard } = moveJobstate('prepared', { startedAt: null, updatedAt: now }, ['running']);
    if (!(await this.ctx.store.jobstates.update(js.id, patch, { status: guard, attempt: js.attempt, eventSeq: 0 }))) {
      return false;
    }
    const line = 'the agent never received this job (its reply was lost): offered again';
    await this.ctx.store.logs.append(js.id, js.attempt, [{ ts: now, stream: 'info', line }]);
    this.ctx.notify({ type: 'jobstate', jobstate: { ...js, ...patch } });
    return true;
  }

  private async prepare(agent: Pick<Agent, 'id' | 'modules'>, js: Jobstate): Promise<AgentWork | null> {
    const module = this.ctx.modules.get(js.module);
    if (!module) return this.refuse(js, 'module_unknown', `module "${js.module}" is not installed on the server`);
    if (!agent.modules.includes(js.module)) {
      return this.refuse(js, 'module_unknown', `the agent does not have module "${js.module}"`);
    }
    try {
      const payload = module.payload
        ? await module.payload({ params: js.params, jobstate: js, services: this.ctx.services(js.orgId) })
        : null;
      return {
        jobstate: js.id,
        attempt: js.attempt,
        module: js.module,
        params: js.params,
        payload: payload ?? null,
        timeoutSeconds: js.timeoutSeconds,
      };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return this.refuse(js, 'module_failed', `the job could not be prepared for the agent: ${message}`);
    }
  }

  private async refuse(js: Jobstate, reason: JobstateReason, error: string): Promise<null> {
    await this.end(js, reason, error, ['running']);
    return null;
  }

  /** Ends a jobstate in error with a log line saying why, fenced on the status it was seen in. */
  private async end(
    js: Jobstate,
    reason: JobstateReason,
    error: string,
    status: Jobstate['status'][],
    retry?: false,
  ): Promise<void> {
    const { store, clock } = this.ctx;
    await store.logs.append(js.id, js.attempt, [{ ts: clock.now(), stream: 'info', line: error }]);
    const outcome = { ok: false, reason, result: { error }, ...(retry === false ? { retry } : {}) };
    await reportOutcome(this.ctx, js, outcome, { status });
  }
}

/** Whether a jobstate running on an agent was claimed before that agent's contact at `contactAt`. */
function claimedBefore(js: Pick<RunningOnAgent, 'startedAt'>, contactAt: number): boolean {
  return (js.startedAt ?? contactAt) < contactAt;
}
