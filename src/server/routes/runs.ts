import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { RUN_STATUSES, type Run, type RunStatus } from '../../core/model.ts';
import type { RunFilter } from '../../core/ports/store.ts';
import { readEnum, readInstant } from '../../core/validate.ts';
import { IdParams, Paged, PageQuery } from '../../protocol/common.ts';
import { JobstateView } from '../../protocol/jobstates.ts';
import { IdempotencyHeaders, RunListQuery, RunNowQuery, RunView } from '../../protocol/runs.ts';
import { principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { writableTask } from '../global-tasks.ts';
import { idempotencyKeyOf, markReplay } from '../idempotency.ts';
import { pageOf } from '../paging.ts';
import { listScope, visible } from '../tenancy.ts';
import { loadJobstateViews, loadRunView } from '../views.ts';

/** Runs: run a task now (optionally waiting for the end), list, read, cancel, and their jobstates. */
export const runRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { store, engine, closing, clock }) => {
  app.post(
    '/api/v1/tasks/:id/runs',
    {
      config: { auth: 'operator' },
      schema: {
        tags: ['runs'],
        params: IdParams,
        querystring: RunNowQuery,
        headers: IdempotencyHeaders,
        response: { 200: RunView, 201: RunView },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { id } = request.params;
      await writableTask(store, principal, await store.tasks.get(id), id);
      const started = await engine.startNow(id, principal.user.name, idempotencyKeyOf(request, principal));
      markReplay(reply, started);
      const run = await waitForEnd(started.run, (request.query.wait ?? 0) * 1000);
      return reply.code(run.finishedAt !== null ? 200 : 201).send(await loadRunView(store, run));
    },
  );

  app.get(
    '/api/v1/tasks/:id/runs',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['runs'], params: IdParams, querystring: PageQuery, response: { 200: Paged(RunView) } },
    },
    async (request) => {
      const { id } = request.params;
      const task = visible(principalOf(request), await store.tasks.get(id), 'task', id);
      return listRuns({ orgId: task.orgId, taskId: task.id }, request.query);
    },
  );

  app.get(
    '/api/v1/runs',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['runs'], querystring: RunListQuery, response: { 200: Paged(RunView) } },
    },
    async (request) => {
      const { org, task, status, since, until } = request.query;
      const filter: RunFilter = {
        orgId: await listScope(store, principalOf(request), org),
        taskId: task,
        status: status === undefined ? undefined : parseStatuses(status),
        since: since === undefined ? undefined : readInstant(since, 'since'),
        until: until === undefined ? undefined : readInstant(until, 'until'),
      };
      return listRuns(filter, request.query);
    },
  );

  app.get(
    '/api/v1/runs/:id',
    { config: { auth: 'viewer' }, schema: { tags: ['runs'], params: IdParams, response: { 200: RunView } } },
    async (request) => {
      const { id } = request.params;
      return loadRunView(store, visible(principalOf(request), await store.runs.get(id), 'run', id));
    },
  );

  app.post(
    '/api/v1/runs/:id/cancel',
    { config: { auth: 'operator' }, schema: { tags: ['runs'], params: IdParams, response: { 200: RunView } } },
    async (request) => {
      const { id } = request.params;
      visible(principalOf(request), await store.runs.get(id), 'run', id);
      return loadRunView(store, await engine.cancelRun(id));
    },
  );

  app.get(
    '/api/v1/runs/:id/jobstates',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['runs'], params: IdParams, querystring: PageQuery, response: { 200: Paged(JobstateView) } },
    },
    async (request) => {
      const { id } = request.params;
      visible(principalOf(request), await store.runs.get(id), 'run', id);
      const page = await store.jobstates.listByRun(id, pageOf(request.query));
      return { items: await loadJobstateViews(store, page.items, clock.now()), next: page.next };
    },
  );

  /** The run once it ended, or as it is when `ms` ran out or the server began to close. */
  async function waitForEnd(run: Run, ms: number): Promise<Run> {
    if (ms <= 0 || closing.aborted) return run;
    let stopWaiting = () => {};
    const closed = new Promise<null>((resolve) => {
      stopWaiting = () => resolve(null);
      closing.addEventListener('abort', stopWaiting, { once: true });
    });
    try {
      return (await Promise.race([engine.waitForRun(run.id, ms), closed])) ?? (await store.runs.get(run.id)) ?? run;
    } finally {
      closing.removeEventListener('abort', stopWaiting);
    }
  }

  async function listRuns(filter: RunFilter, query: { after?: string; limit?: number }) {
    const page = await store.runs.list(filter, pageOf(query));
    return { items: await Promise.all(page.items.map((run) => loadRunView(store, run))), next: page.next };
  }
};

function parseStatuses(text: string): RunStatus[] {
  return text.split(',').map((s, i) => readEnum(s.trim(), i === 0 ? 'status' : `status[${i}]`, RUN_STATUSES));
}
