/**
 * A FusionInventory agent's Deploy task over REST (Task/Deploy.pm): getConfig tells it
 * where to ask for jobs, getJobs hands it the deploy jobstates claimed at its PROLOG
 * (translated by modules/fusioninventory/deploy.ts), setStatus and setUserEvent report on
 * one of them. Reports go through the engine's event path; the ends read as the deploy
 * module's own outcomes: ok, unneeded (a check skipped the job) or ko.
 */
import type { Clock } from '../../core/clock.ts';
import { notFound } from '../../core/errors.ts';
import type { Agent, Jobstate } from '../../core/model.ts';
import type { ModuleRegistry, ModuleServicesFor } from '../../core/ports/module.ts';
import type { DeployParams, DeployPayload } from '../../modules/deploy/schema.ts';
import {
  type ArchiveParts as AgentArchive,
  type AgentDeployAnswer,
  agentDeployJob,
  type DeployStatus,
  describeUserEvent,
  needsArchive,
  readDeployStatus,
  UnsupportedDeploy,
} from '../../modules/fusioninventory/deploy.ts';
import { parseDeployUuid } from '../../modules/fusioninventory/ids.ts';
import type { ArchiveParts } from './archive-parts.ts';
import {
  type EventDeps,
  type JobEvent,
  logEvent,
  refOf,
  reportEvents,
  reportUnlessEnded,
  runningJobs,
} from './events.ts';

export interface DeployDeps extends EventDeps {
  clock: Clock;
  modules: ModuleRegistry;
  /** Bound to the org of the agent (or jobstate) at hand, as the engine binds them. */
  services: ModuleServicesFor;
  /** null when the server keeps no package files. */
  parts: ArchiveParts | null;
}

/** getConfig: the Deploy task asks `remote` for jobs only when the agent has some. */
export async function deployConfig(deps: DeployDeps, agent: Agent, remote: string) {
  const jobs = await runningJobs(deps.store, agent.id, 'deploy');
  return { schedule: jobs.length > 0 ? [{ task: 'Deploy', remote }] : [] };
}

/**
 * getJobs: every deploy jobstate running for the agent, as the agent runs them. A job the
 * agent cannot run as Taskwarden means it ends `ko` here, saying why. `{}` = nothing to do.
 * `mirror` is the URL under which the archives' parts are served (`<mirror><sha256>/`).
 */
export async function deployJobs(deps: DeployDeps, agent: Agent, mirror: string): Promise<Record<string, unknown>> {
  const running = await runningJobs(deps.store, agent.id, 'deploy');
  const os = (await deps.services(agent.orgId).fleet.agent(agent.id))?.inventory?.['os'] as
    | { name?: string }
    | undefined;
  const answers: AgentDeployAnswer[] = [];
  for (const js of running) {
    const now = deps.clock.now();
    try {
      const payload = await payloadOf(deps, js);
      const archive = needsArchive(payload) ? await archiveOf(deps, payload, mirror) : null;
      answers.push(agentDeployJob(refOf(js), payload, archive, os?.name ?? null));
      const { name, version } = payload.package;
      const line = `handed to the agent's Deploy task: ${name} ${version} (${payload.action})`;
      await reportEvents(deps, agent.id, refOf(js), [logEvent(line, now)]);
    } catch (err) {
      const error = `the job cannot run on this FusionInventory agent: ${err instanceof Error ? err.message : String(err)}`;
      const result = { ...(await identity(deps, js)), outcome: 'ko', error };
      await reportUnlessEnded(deps, agent.id, refOf(js), [{ type: 'error', reason: 'module_failed', result, ts: now }]);
    }
  }
  if (answers.length === 0) return {};
  return {
    jobs: answers.map((answer) => answer.job),
    associatedFiles: Object.assign({}, ...answers.map((answer) => answer.files)),
  };
}

/** setStatus: a log line, and the end of the job when the agent says it is over. */
export async function deployStatus(
  deps: DeployDeps,
  agent: Agent,
  status: DeployStatus & { uuid?: string | undefined },
) {
  const { js, ref } = await agentJob(deps, agent, status.uuid);
  const meaning = readDeployStatus(status);
  const now = deps.clock.now();
  const events: JobEvent[] = [logEvent(meaning.line, now)];
  if (meaning.end) {
    const { outcome, message } = meaning.end;
    const result = { ...(await identity(deps, js)), outcome, ...(outcome === 'ko' ? { error: message } : {}) };
    events.push(
      outcome === 'ko'
        ? { type: 'error', reason: 'module_failed', result, ts: now }
        : { type: 'finished', result, ts: now },
    );
  }
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

/** The deploy jobstate (and attempt) a uuid names, if it is this agent's. */
async function agentJob(deps: DeployDeps, agent: Agent, uuid: string | undefined) {
  const ref = parseDeployUuid(uuid ?? '', 'uuid');
  const js = await deps.store.jobstates.get(ref.jobstateId);
  if (!js || js.agentId !== agent.id || js.module !== 'deploy') throw notFound('jobstate', ref.jobstateId);
  return { js, ref };
}

function payloadOf(deps: DeployDeps, js: Jobstate): Promise<DeployPayload> {
  const module = deps.modules.get('deploy');
  if (!module?.payload) throw new Error('the deploy module is not installed on the server');
  return module.payload({
    params: js.params,
    jobstate: js,
    services: deps.services(js.orgId),
  }) as Promise<DeployPayload>;
}

async function archiveOf(deps: DeployDeps, payload: DeployPayload, mirror: string): Promise<AgentArchive> {
  if (!deps.parts) throw new UnsupportedDeploy('this server keeps no package files');
  const index = await deps.parts.index(payload.package.sha256);
  if (index.refusal) throw new UnsupportedDeploy(`the archive is refused: ${index.refusal}`);
  return { sha512: index.sha512, parts: index.parts, mirror: `${mirror}${payload.package.sha256}/` };
}

/** What every deploy result names, as the deploy module's own agent reports it. */
async function identity(deps: DeployDeps, js: Jobstate) {
  const params = js.params as DeployParams;
  const pkg = await deps.services(js.orgId).packages.find(params.package, params.version);
  return { package: params.package, version: pkg?.version ?? params.version ?? null, action: params.action };
}
