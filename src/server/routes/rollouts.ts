import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RolloutAction } from '../../engine/rollout.ts';
import { IdParams } from '../../protocol/common.ts';
import { RunView } from '../../protocol/runs.ts';
import { principalOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { visible } from '../tenancy.ts';
import { loadRunView } from '../views.ts';

const ACTIONS: Record<RolloutAction, string> = {
  resume: 're-opens a run its rollout halted, at its next wave (409 rollout_not_halted otherwise)',
  promote:
    'opens the next wave of a rollout run now, without waiting for the open waves or the pause (409 rollout_no_next_wave when none is left, rollout_halted when halted)',
};

/** An operator's word on a staged rollout: resume a halted run, promote the next wave. */
export const rolloutRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, { store, engine }) => {
  for (const [action, description] of Object.entries(ACTIONS) as [RolloutAction, string][]) {
    app.post(
      `/api/v1/runs/:id/${action}`,
      {
        config: { auth: 'operator' },
        schema: { tags: ['runs'], params: IdParams, description, response: { 200: RunView } },
      },
      async (request) => {
        const { id } = request.params;
        visible(principalOf(request), await store.runs.get(id), 'run', id);
        return loadRunView(store, await engine.rolloutAction(id, action));
      },
    );
  }
};
