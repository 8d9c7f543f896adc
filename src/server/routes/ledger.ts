import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { LedgerListing } from '../../core/ports/store.ts';
import { Paged } from '../../protocol/common.ts';
import { LedgerEntryView as LedgerEntrySchema, type LedgerEntryView, LedgerQuery } from '../../protocol/ledger.ts';
import { principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { pageOf } from '../paging.ts';
import { listScope, visible } from '../tenancy.ts';
import { iso } from '../views.ts';

/**
 * The ledger: the last outcome of each job of each task on each target, whichever run and
 * attempt it came from ("where it stands on each target"). Viewers read their org's; a
 * task or agent of another org named in the query is 404, as everywhere.
 */
export const ledgerRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { store }) => {
  app.get(
    '/api/v1/ledger',
    {
      config: { auth: 'viewer' },
      schema: {
        tags: ['runs'],
        querystring: LedgerQuery,
        response: { 200: Paged(LedgerEntrySchema) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { org, task, job, agent, outcome } = request.query;
      if (task !== undefined) visible(principal, await store.tasks.get(task), 'task', task);
      if (agent !== undefined && agent !== 'server') visible(principal, await store.agents.get(agent), 'agent', agent);
      const page = await store.ledger.list(
        { orgId: await listScope(store, principal, org), taskId: task, job, target: agent, status: outcome },
        pageOf(request.query),
      );
      return { items: page.items.map(ledgerView), next: page.next };
    },
  );
};

/** An entry as the API shows it; the agent's name comes with the page's one query. */
function ledgerView(e: LedgerListing): LedgerEntryView {
  return {
    taskId: e.taskId,
    taskName: e.taskName,
    orgId: e.orgId,
    job: e.job,
    agentId: e.target === 'server' ? null : e.target,
    agentName: e.agentName,
    runId: e.runId,
    attempt: e.attempt,
    outcome: e.status as LedgerEntryView['outcome'],
    reason: e.reason,
    result: e.result,
    at: iso(e.at),
  };
}
