import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Task, TaskDef } from '../../core/model.ts';
import { parseTaskDef } from '../../core/task-def.ts';
import { IdParams, OrgQuery, Paged, PageQuery } from '../../protocol/common.ts';
import { TaskDefBody } from '../../protocol/task-def.ts';
import { HistoryView, TaskBatchBody, TaskBatchView, TaskListQuery, TaskView } from '../../protocol/tasks.ts';
import { principalOf } from '../auth.ts';
import { checkCalendarReferences } from '../calendar-check.ts';
import { checkCatalogReferences, requestCommands } from '../catalog-check.ts';
import type { ServerContext } from '../context.ts';
import { checkTaskScope, readableTask, readableTaskOrgs, taskOrg, writableTask } from '../global-tasks.ts';
import { checkChannelReferences } from '../notify/channel-check.ts';
import { pageOf } from '../paging.ts';
import { SecretArgs } from '../secret-args.ts';
import { createBatch, validBatch } from '../task-batch.ts';
import { historyView, taskView } from '../views.ts';

/**
 * Tasks: operators define them, viewers read them; every change lands in the task's
 * history. Secret command args are shown as `***` and kept when written back so. Global
 * tasks (`?org=global`, the global admin's) are read-only to the orgs that opted in to see
 * them, unknown to the others (server/global-tasks.ts).
 */
export const taskRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, ctx) => {
  const { store, engine } = ctx;

  /** The catalog reads of one request: a batch's items share them, so each command is read once. */
  const requestReads = () => ({ secrets: new SecretArgs(store), commands: requestCommands(store.commands) });

  /** Everything about a definition is checked before anything is written: the route's schema first, then the rest. */
  async function validDef(
    body: TaskDefBody,
    orgId: string,
    current: Task | null,
    reads = requestReads(),
  ): Promise<TaskDef> {
    const parsed = parseTaskDef(body, { modules: ctx.modules, defaultTz: ctx.defaultTz });
    checkTaskScope(parsed, { orgId, modules: ctx.modules, backups: ctx.backups });
    const def = await reads.secrets.keepStored(orgId, current, parsed);
    await checkCatalogReferences(reads.commands, orgId, def);
    await checkChannelReferences(store, orgId, def.notify ?? []);
    await checkCalendarReferences(store, orgId, def.calendars ?? []);
    return def;
  }

  const shown = async (task: Task) => taskView(await new SecretArgs(store).task(task));

  app.post(
    '/api/v1/tasks',
    {
      config: { auth: 'operator' },
      schema: { tags: ['tasks'], querystring: OrgQuery, body: TaskDefBody, response: { 201: TaskView } },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const orgId = await taskOrg(store, principal, request.query.org);
      const task = await engine.createTask(orgId, await validDef(request.body, orgId, null), principal.user.name);
      return reply.code(201).send(await shown(task));
    },
  );

  // `::` is a literal colon to fastify: the route is /api/v1/tasks:batch.
  app.post(
    '/api/v1/tasks::batch',
    {
      config: { auth: 'operator' },
      schema: { tags: ['tasks'], querystring: OrgQuery, body: TaskBatchBody, response: { 201: TaskBatchView } },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const orgId = await taskOrg(store, principal, request.query.org);
      const reads = requestReads();
      const defs = await validBatch(request.body.tasks, (item) => validDef(item, orgId, null, reads));
      const tasks = await createBatch(defs, () => engine.createTasks(orgId, defs, principal.user.name));
      return reply.code(201).send({ items: tasks.map(({ id, name }) => ({ id, name })) });
    },
  );

  app.get(
    '/api/v1/tasks',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['tasks'], querystring: TaskListQuery, response: { 200: Paged(TaskView) } },
    },
    async (request) => {
      const orgId = await readableTaskOrgs(store, principalOf(request), request.query.org);
      const page = await store.tasks.list({ orgId, enabled: request.query.enabled }, pageOf(request.query));
      const secrets = new SecretArgs(store);
      const items = await Promise.all(page.items.map(async (task) => taskView(await secrets.task(task))));
      return { items, next: page.next };
    },
  );

  app.get(
    '/api/v1/tasks/:id',
    { config: { auth: 'viewer' }, schema: { tags: ['tasks'], params: IdParams, response: { 200: TaskView } } },
    async (request) => {
      const { id } = request.params;
      return shown(await readableTask(store, principalOf(request), await store.tasks.get(id), id));
    },
  );

  app.put(
    '/api/v1/tasks/:id',
    {
      config: { auth: 'operator' },
      schema: { tags: ['tasks'], params: IdParams, body: TaskDefBody, response: { 200: TaskView } },
    },
    async (request) => {
      const principal = principalOf(request);
      const { id } = request.params;
      const current = await writableTask(store, principal, await store.tasks.get(id), id);
      const def = await validDef(request.body, current.orgId, current);
      return shown((await engine.updateTask(id, def, principal.user.name)).task);
    },
  );

  app.delete(
    '/api/v1/tasks/:id',
    { config: { auth: 'operator' }, schema: { tags: ['tasks'], params: IdParams } },
    async (request, reply) => {
      const principal = principalOf(request);
      const { id } = request.params;
      await writableTask(store, principal, await store.tasks.get(id), id);
      await engine.deleteTask(id, principal.user.name);
      return reply.code(204).send();
    },
  );

  for (const action of ['enable', 'disable'] as const) {
    app.post(
      `/api/v1/tasks/:id/${action}`,
      { config: { auth: 'operator' }, schema: { tags: ['tasks'], params: IdParams, response: { 200: TaskView } } },
      async (request) => {
        const principal = principalOf(request);
        const { id } = request.params;
        await writableTask(store, principal, await store.tasks.get(id), id);
        return shown(await engine.setTaskEnabled(id, action === 'enable', principal.user.name));
      },
    );
  }

  app.get(
    '/api/v1/tasks/:id/history',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['tasks'], params: IdParams, querystring: PageQuery, response: { 200: Paged(HistoryView) } },
    },
    async (request) => {
      const { id } = request.params;
      await readableTask(store, principalOf(request), await store.tasks.get(id), id);
      const page = await store.history.list(id, pageOf(request.query));
      const secrets = new SecretArgs(store);
      const items = await Promise.all(page.items.map(async (entry) => historyView(await secrets.history(entry))));
      return { items, next: page.next };
    },
  );
};
