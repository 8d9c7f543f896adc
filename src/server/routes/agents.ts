import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { diagnose } from '../../core/diagnostics.ts';
import { parseDuration } from '../../core/duration.ts';
import { notFound, ValidationError } from '../../core/errors.ts';
import { type Agent, JOBSTATE_STATUSES, type Run, type Task } from '../../core/model.ts';
import type { Store } from '../../core/ports/store.ts';
import { explainReach } from '../../core/reach.ts';
import { checkTimeZone } from '../../core/schedule/agent-local.ts';
import {
  AgentDiagnosticsQuery,
  AgentDiagnosticsView,
  AgentListQuery,
  AgentView,
  AllowReenrolBody,
  DEFAULT_REENROL_SECONDS,
  type DiagnosisView,
  MAX_REENROL_SECONDS,
  PatchAgentBody,
  type ReachLineView,
} from '../../protocol/agents.ts';
import { IdParams, Paged } from '../../protocol/common.ts';
import { agentView } from '../agent-views.ts';
import { principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { pageOf } from '../paging.ts';
import { listScope, visible } from '../tenancy.ts';
import { isoOrNull } from '../views.ts';

/** Open jobstates shown by the diagnostics of one agent. */
const DIAGNOSED_MAX = 1000;

/**
 * Enrolled agents: viewers read them (with online/offline from their last contact) and ask
 * why work is not running on one; org-admins rename, retag, disable or delete them, and
 * allow (or stop allowing) one to enrol again with its device id (a reinstalled machine).
 * Deleting ends the agent's open jobstates `agent_lost` first, through the engine.
 */
export const agentRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { store, engine, clock }) => {
  const find = async (principal: Parameters<typeof visible>[0], id: string): Promise<Agent> =>
    visible(principal, await store.agents.get(id), 'agent', id);

  app.get(
    '/api/v1/agents',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['agents'], querystring: AgentListQuery, response: { 200: Paged(AgentView) } },
    },
    async (request) => {
      const { org, tag, enabled } = request.query;
      const orgId = await listScope(store, principalOf(request), org);
      const page = await store.agents.list({ orgId, tags: tag ? [tag] : undefined, enabled }, pageOf(request.query));
      const now = clock.now();
      return { items: page.items.map((agent) => agentView(agent, now)), next: page.next };
    },
  );

  app.get(
    '/api/v1/agents/:id',
    { config: { auth: 'viewer' }, schema: { tags: ['agents'], params: IdParams, response: { 200: AgentView } } },
    async (request) => agentView(await find(principalOf(request), request.params.id), clock.now()),
  );

  app.patch(
    '/api/v1/agents/:id',
    {
      config: { auth: 'org-admin' },
      schema: { tags: ['agents'], params: IdParams, body: PatchAgentBody, response: { 200: AgentView } },
    },
    async (request) => {
      const { id } = request.params;
      await find(principalOf(request), id);
      const { name, tags, enabled, timezone } = request.body;
      const timezoneOverride = timezone == null ? timezone : checkTimeZone(timezone, 'timezone');
      await store.agents.update(id, { name, enabled, tags: tags && [...new Set(tags)], timezoneOverride });
      // Given a tag (or enabled), it joins the open runs that take it late.
      if (tags !== undefined || enabled === true) await engine.joinLate(id);
      const agent = await store.agents.get(id);
      if (!agent) throw notFound('agent', id);
      return agentView(agent, clock.now());
    },
  );

  /** Sets or clears an agent's leave to enrol again (used up by the enrolment it allows). */
  const setReenrolment = async (request: FastifyRequest, id: string, until: number | null) => {
    await find(principalOf(request), id);
    await store.agents.update(id, { reenrolUntil: until });
    request.log.info({ agentId: id, until, by: principalOf(request).user.id }, 'agent re-enrolment leave changed');
    const agent = await store.agents.get(id);
    if (!agent) throw notFound('agent', id);
    return agentView(agent, clock.now());
  };

  app.post(
    '/api/v1/agents/:id/allow-reenrol',
    {
      config: { auth: 'org-admin' },
      schema: { tags: ['agents'], params: IdParams, body: AllowReenrolBody, response: { 200: AgentView } },
    },
    async (request) => {
      const { expiresIn } = request.body;
      const seconds =
        expiresIn === undefined ? DEFAULT_REENROL_SECONDS : parseDuration(expiresIn, 'expiresIn', { min: 1 });
      if (seconds > MAX_REENROL_SECONDS) throw new ValidationError('expiresIn', 'must be at most 30 days');
      return setReenrolment(request, request.params.id, clock.now() + seconds * 1000);
    },
  );

  app.delete(
    '/api/v1/agents/:id/allow-reenrol',
    { config: { auth: 'org-admin' }, schema: { tags: ['agents'], params: IdParams, response: { 200: AgentView } } },
    async (request) => setReenrolment(request, request.params.id, null),
  );

  app.delete(
    '/api/v1/agents/:id',
    { config: { auth: 'org-admin' }, schema: { tags: ['agents'], params: IdParams } },
    async (request, reply) => {
      const { id } = request.params;
      await find(principalOf(request), id);
      await engine.agents.deleteAgent(id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/agents/:id/diagnostics',
    {
      config: { auth: 'viewer' },
      schema: {
        tags: ['agents'],
        params: IdParams,
        querystring: AgentDiagnosticsQuery,
        response: { 200: AgentDiagnosticsView },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const agent = await find(principal, request.params.id);
      const now = clock.now();
      const view = { agent: agentView(agent, now), items: await diagnoseAgent(store, agent, now) };
      const { task: taskId } = request.query;
      if (taskId === undefined) return view;
      const task = visible(principal, await store.tasks.get(taskId), 'task', taskId);
      return { ...view, reach: { taskId: task.id, task: task.name, lines: await reachOf(store, task, agent, now) } };
    },
  );
};

/** Gathers what `explainReach` needs: the task's newest run that handed out jobs, and whether the agent got one. */
async function reachOf(store: Store, task: Task, agent: Agent, now: number): Promise<ReachLineView[]> {
  const recent = await store.runs.list({ taskId: task.id, status: [...HANDED_OUT] }, { limit: 1 });
  const run = recent.items[0];
  const lastRun = run
    ? {
        run,
        agentHasJobs:
          (await store.jobstates.listForAgent(agent.id, { statuses: JOBSTATE_STATUSES, runId: run.id }, 1)).length > 0,
      }
    : null;
  return explainReach({ now, task, agent, lastRun });
}

/** Run statuses of runs that handed out their jobs (pending, skipped and missed ones never did). */
const HANDED_OUT = ['running', 'finished', 'error', 'cancelled'] as const;

/** Gathers what `diagnose` needs for each open jobstate of the agent; runs and tasks read once each. */
async function diagnoseAgent(store: Store, agent: Agent, now: number): Promise<DiagnosisView[]> {
  const open = await store.jobstates.listForAgent(
    agent.id,
    { statuses: ['waiting', 'prepared', 'running'] },
    DIAGNOSED_MAX,
  );
  const runs = new Map<string, Promise<Run | null>>();
  const tasks = new Map<string, Promise<Task | null>>();
  const items: DiagnosisView[] = [];
  for (const js of open) {
    if (!runs.has(js.runId)) runs.set(js.runId, store.runs.get(js.runId));
    if (!tasks.has(js.taskId)) tasks.set(js.taskId, store.tasks.get(js.taskId));
    const run = await runs.get(js.runId);
    const task = await tasks.get(js.taskId);
    const { code, message, until } = diagnose({ now, jobstate: js, run: run ?? null, task: task ?? null, agent });
    items.push({
      jobstateId: js.id,
      runId: js.runId,
      taskId: js.taskId,
      task: task?.name ?? null,
      job: js.job,
      module: js.module,
      status: js.status as DiagnosisView['status'],
      reason: js.reason,
      attempt: js.attempt,
      code,
      message,
      until: isoOrNull(until),
    });
  }
  return items;
}
