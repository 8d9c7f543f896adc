import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TaskwardenError } from '../../core/errors.ts';
import type { Run } from '../../core/model.ts';
import { readInstant } from '../../core/validate.ts';
import { IdParams, MAX_PAGE_LIMIT } from '../../protocol/common.ts';
import { ReportQuery, TaskReportView } from '../../protocol/reports.ts';
import { principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { buildTaskReport } from '../reports.ts';
import { visible } from '../tenancy.ts';

const DEFAULT_REPORT_DAYS = 30;
/** A report reads every run of its range; past this many the range is too wide to answer quickly. */
export const MAX_REPORT_RUNS = 50_000;

/** Reports: a task's runs over time, bucketed, with success rate and duration percentiles. */
export const reportRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { store, clock }) => {
  app.get(
    '/api/v1/reports/tasks/:id',
    {
      config: { auth: 'viewer' },
      schema: { tags: ['reports'], params: IdParams, querystring: ReportQuery, response: { 200: TaskReportView } },
    },
    async (request) => {
      const { id } = request.params;
      const task = visible(principalOf(request), await store.tasks.get(id), 'task', id);
      const { since, until, bucket = 'day' } = request.query;
      const end = until === undefined ? clock.now() : readInstant(until, 'until');
      const start = since === undefined ? end - DEFAULT_REPORT_DAYS * 86_400_000 : readInstant(since, 'since');
      const runs: Run[] = [];
      let after: string | undefined;
      do {
        const page = await store.runs.list(
          { orgId: task.orgId, taskId: task.id, since: start, until: end },
          { after, limit: MAX_PAGE_LIMIT },
        );
        runs.push(...page.items);
        after = page.next ?? undefined;
        if (runs.length > MAX_REPORT_RUNS) {
          throw new TaskwardenError(
            'report_range_too_large',
            `more than ${MAX_REPORT_RUNS} runs in the range: narrow it`,
          );
        }
      } while (after !== undefined);
      return buildTaskReport(task, runs, { since: start, until: end, bucket });
    },
  );
};
