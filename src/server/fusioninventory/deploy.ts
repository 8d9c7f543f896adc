/**
 * A FusionInventory agent's Deploy task over REST (Task/Deploy.pm): getConfig tells it
 * where to ask for jobs, getJobs hands it the jobstates claimed at its PROLOG whose module
 * offers a Deploy translation (its FusionInventory hook's `deploy`: the deploy module's, or
 * any package's), setStatus and setUserEvent report on one of them. Reports go through the
 * engine's event path; what the agent's calls mean for the job is the module's to say.
 */
import type { Clock } from '../../core/clock.ts';
import { notFound } from '../../core/errors.ts';
import type { Agent, Jobstate } from '../../core/model.ts';
import type {
  FusionInventoryArchive,
  FusionInventoryDeploy,
  FusionInventoryDeployJob,
  FusionInventoryDeployStatus,
} from '../../core/ports/fusioninventory-hook.ts';
import type { FleetAgent, ModuleRegistry, ModuleServicesFor } from '../../core/ports/module.ts';
import { deployUuidOf, parseDeployUuid } from '../../modules/fusioninventory/ids.ts';
import type { ArchiveParts } from './archive-parts.ts';
import { type EventDeps, endEvent, logEvent, refOf, reportEvents, reportUnlessEnded, runningJobs } from './events.ts';

export interface DeployDeps extends EventDeps {
  clock: Clock;
  modules: ModuleRegistry;
  /** Bound to the org of the agent (or jobstate) at hand, as the engine binds them. */
  services: ModuleServicesFor;
  /** null when the server keeps no package files. */
  parts: ArchiveParts | null;
}

/** The Deploy translation of a module, if it has one. */
function deployHookOf(modules: ModuleRegistry, name: string): FusionInventoryDeploy<unknown> | undefined {
  return modules.get(name)?.fusionInventory?.deploy;
}

/** A running jobstate of the agent, and the Deploy translation of its module. */
interface DeployJob {
  js: Jobstate;
  hook: FusionInventoryDeploy<unknown>;
}

async function deployJobsOf(deps: DeployDeps, agentId: string): Promise<DeployJob[]> {
  const running = await runningJobs(deps.store, agentId, () => true);
  return running.flatMap((js) => {
    const hook = deployHookOf(deps.modules, js.module);
    return hook ? [{ js, hook }] : [];
  });
}

/** getConfig: the Deploy task asks `remote` for jobs only when the agent has some. */
export async function deployConfig(deps: DeployDeps, agent: Agent, remote: string) {
  const jobs = await deployJobsOf(deps, agent.id);
  return { schedule: jobs.length > 0 ? [{ task: 'Deploy', remote }] : [] };
}

/**
 * getJobs: every running jobstate of the agent that the Deploy task runs, as its module's hook
 * translates it; a job the hook ends (the agent cannot run it) is left out. `{}` = nothing to
 * do. `mirror` is the URL under which package files' parts are served (`<mirror><sha256>/`).
 */
export async function deployJobs(deps: DeployDeps, agent: Agent, mirror: string): Promise<Record<string, unknown>> {
  const running = await deployJobsOf(deps, agent.id);
  if (running.length === 0) return {};
  const fleetAgent = await deps.services(agent.orgId).fleet.agent(agent.id);
  const handed: Extract<FusionInventoryDeployJob, { job: unknown }>[] = [];
  for (const job of running) {
    const answer = await handOut(deps, { ...job, agentId: agent.id, fleetAgent, mirror });
    if ('job' in answer) handed.push(answer);
  }
  if (handed.length === 0) return {};
  return {
    jobs: handed.map((answer) => answer.job),
    associatedFiles: Object.assign({}, ...handed.map((answer) => answer.files)),
  };
}

interface HandOut extends DeployJob {
  agentId: string;
  /** The agent as modules see it, with its inventory. */
  fleetAgent: FleetAgent | null;
  mirror: string;
}

/** One job through its module's hook, logged (or ended) on the jobstate. */
async function handOut(deps: DeployDeps, input: HandOut): Promise<FusionInventoryDeployJob> {
  const { js, hook, agentId } = input;
  const now = deps.clock.now();
  let answer: FusionInventoryDeployJob;
  try {
    answer = await hook.job({
      params: js.params,
      jobstate: js,
      services: deps.services(js.orgId),
      uuid: deployUuidOf(refOf(js)),
      agent: input.fleetAgent,
      archive: (sha256) => archiveOf(deps, input, sha256),
    });
  } catch (err) {
    const error = `module ${js.module} could not translate the job: ${err instanceof Error ? err.message : String(err)}`;
    answer = { lines: [], end: { ok: false, reason: 'module_failed', result: { error } } };
  }
  const events = answer.lines.map((line) => logEvent(line, now));
  if ('end' in answer) {
    await reportUnlessEnded(deps, agentId, refOf(js), [...events, endEvent(answer.end, now)]);
  } else {
    await reportEvents(deps, agentId, refOf(js), events);
  }
  return answer;
}

/** A package file of the job's org, in the parts the agent downloads, if the module's hook lets it go. */
async function archiveOf(deps: DeployDeps, input: HandOut, sha256: string): Promise<FusionInventoryArchive> {
  if (!deps.parts) throw new Error('this server keeps no package files');
  if (!(await deps.store.packages.getFile(input.js.orgId, sha256))) {
    throw new Error(`${sha256} is not one of the org's package files`);
  }
  const index = await deps.parts.index(sha256);
  const { checkArchive } = input.hook;
  const refusal = checkArchive ? await deps.parts.refusal(sha256, input.js.module, checkArchive) : null;
  if (refusal) throw new Error(`the archive is refused: ${refusal}`);
  return { sha512: index.sha512, parts: index.parts, mirror: `${input.mirror}${sha256}/` };
}

/** setStatus: a log line, and the end of the job when the module's hook reads one. */
export async function deployStatus(
  deps: DeployDeps,
  agent: Agent,
  status: FusionInventoryDeployStatus & { uuid?: string | undefined },
) {
  const { js, ref, hook } = await agentJob(deps, agent, status.uuid);
  const meaning = await hook.status({ params: js.params, jobstate: js, services: deps.services(js.orgId), status });
  const now = deps.clock.now();
  const events = [logEvent(meaning.line, now), ...(meaning.end ? [endEvent(meaning.end, now)] : [])];
  await reportEvents(deps, agent.id, ref, events);
}

/** setUserEvent: logged; the agent goes on (or stops) by itself and says so with setStatus. */
export async function deployUserEvent(
  deps: DeployDeps,
  agent: Agent,
  event: Record<string, string | undefined> & { uuid?: string | undefined },
) {
  const { ref } = await agentJob(deps, agent, event.uuid);
  await reportEvents(deps, agent.id, ref, [logEvent(describeUserEvent(event), deps.clock.now())]);
}

/** The jobstate (and attempt) a uuid names, if it is this agent's and its module's hook runs it. */
async function agentJob(deps: DeployDeps, agent: Agent, uuid: string | undefined) {
  const ref = parseDeployUuid(uuid ?? '', 'uuid');
  const js = await deps.store.jobstates.get(ref.jobstateId);
  const hook = js && deployHookOf(deps.modules, js.module);
  if (!js || js.agentId !== agent.id || !hook) throw notFound('jobstate', ref.jobstateId);
  return { js, ref, hook };
}

/** A setUserEvent call (a user answered or ignored a prompt), for the log. */
function describeUserEvent(event: Record<string, string | undefined>): string {
  const said = ['type', 'behavior', 'event'].map((key) => event[key]).filter(Boolean);
  return `user interaction: ${said.join(', ') || 'unspecified'}${event['user'] ? ` (user ${event['user']})` : ''}`;
}
