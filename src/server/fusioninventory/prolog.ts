/**
 * A FusionInventory agent's PROLOG: the start of each of its runs, where it learns what to
 * do. Jobs handed at an earlier PROLOG that the agent never reported were lost (its runs
 * are one after the other): they end `agent_lost` and retry per policy. Then the agent's
 * prepared jobstates are claimed through the engine (running from now on) and each becomes
 * what the agent's tasks read, as its module's FusionInventory hook says (src/modules/<name>/):
 *
 * - inventory: RESPONSE SEND (also sent while the agent has no inventory yet);
 * - netdiscovery: an OPTION NETDISCOVERY, its PID naming the jobstate attempt;
 * - wakeonlan-relay: an OPTION WAKEONLAN; the agent reports nothing, so the job ends here;
 * - deploy: nothing here; the agent's Deploy task asks for it (getConfig, getJobs).
 */
import type { Clock } from '../../core/clock.ts';
import type { ReplyNode } from '../../core/fusioninventory-reply.ts';
import type { Agent } from '../../core/model.ts';
import type { FusionInventoryProlog } from '../../core/ports/fusioninventory-hook.ts';
import type { ModuleRegistry } from '../../core/ports/module.ts';
import type { AgentWork } from '../../engine/agents.ts';
import { type AttemptRef, processNumberOf } from '../../modules/fusioninventory/ids.ts';
import { prologFrequencyHours, prologReply } from '../../modules/fusioninventory/prolog.ts';
import {
  type EventDeps,
  endEvent,
  type JobEvent,
  logEvent,
  refOf,
  reportEvents,
  reportUnlessEnded,
  runningJobs,
} from './events.ts';

/** Jobs handed out per PROLOG; the rest wait for the next one. */
const CLAIM_LIMIT = 100;

type PrologDeps = EventDeps & { clock: Clock; modules: ModuleRegistry };

/** What one job adds to the PROLOG reply. */
type Handed = Pick<FusionInventoryProlog, 'option' | 'sendInventory'>;

/** Returns the reply's XML. `agent` is the agent as it is after this contact was recorded. */
export async function onProlog(deps: PrologDeps, agent: Agent): Promise<string> {
  const contactAt = deps.clock.now();
  await endUnreported(deps, agent.id, contactAt);
  const work = await deps.engine.agents.claim(agent, CLAIM_LIMIT);
  let sendInventory = (await deps.store.inventories.get(agent.id)) === null;
  const options: ReplyNode[] = [];
  for (const job of work) {
    const handed = await hand(deps, agent.id, job);
    if (handed.sendInventory) sendInventory = true;
    if (handed.option) options.push(handed.option);
  }
  return prologReply({ frequencyHours: prologFrequencyHours(agent.contactSeconds), sendInventory, options });
}

/**
 * What the PROLOG reply carries for one job: an OPTION, the inventory request, or nothing;
 * the job's module says so through its FusionInventory hook (none: the agent cannot run it).
 */
async function hand(deps: PrologDeps, agentId: string, job: AgentWork): Promise<Handed> {
  const ref: AttemptRef = { jobstateId: job.jobstate, attempt: job.attempt };
  const now = deps.clock.now();
  const report = (events: JobEvent[]) => reportEvents(deps, agentId, ref, events);
  const hook = deps.modules.get(job.module)?.fusionInventory;
  if (!hook) {
    const error = `FusionInventory agents cannot run module "${job.module}"`;
    await report([{ type: 'error', reason: 'module_unknown', result: { error }, ts: now }]);
    return {};
  }
  const handed = hook.prolog({ params: job.params, payload: job.payload, processNumber: processNumberOf(ref) });
  const events: JobEvent[] = handed.lines.map((line) => logEvent(line, now));
  if (handed.end) events.push(endEvent(handed.end, now));
  await report(events);
  return handed;
}

async function endUnreported(deps: PrologDeps, agentId: string, contactAt: number): Promise<void> {
  const running = await runningJobs(deps.store, agentId, () => true);
  const line =
    "the FusionInventory agent's previous run did not report this job " +
    '(stopped before it, or the task is disabled on the agent: see its --tasks and --no-task)';
  for (const js of running.filter((job) => (job.startedAt ?? contactAt) < contactAt)) {
    await reportUnlessEnded(deps, agentId, refOf(js), [logEvent(line, contactAt)]);
  }
  await deps.engine.agents.reconcile(agentId, [], contactAt);
}
