import { ValidationError } from '../../../core/errors.ts';
import { FusionRestQuery } from '../../../protocol/fusioninventory.ts';
import { deployConfig, deployJobs, deployStatus, deployUserEvent } from '../../fusioninventory/deploy.ts';
import { endpointUrls, type FusionApp, type FusionRouteDeps } from './deps.ts';

const ACTIONS = ['getConfig', 'getJobs', 'setStatus', 'setUserEvent'];

/**
 * `GET <path>?action=…&machineid=…`: the Deploy task's REST calls (HTTP/Client/Fusion.pm),
 * answered in JSON. getConfig names this same URL as where to get jobs, and the files
 * route as the mirror of the package parts.
 */
export function deployRoutes(app: FusionApp, deps: FusionRouteDeps): void {
  for (const url of endpointUrls(deps.path)) {
    app.get(
      url,
      { config: { auth: 'fusioninventory' }, schema: { hide: true, querystring: FusionRestQuery } },
      async (request, reply) => {
        const { query } = request;
        const agent = await deps.agentOf(request, query.machineid);
        const base = deps.baseUrl(request);
        reply.type('application/json');
        switch (query.action) {
          case 'getConfig':
            return deployConfig(deps, agent, base);
          case 'getJobs':
            return deployJobs(deps, agent, `${base}files/`);
          case 'setStatus':
            await deployStatus(deps, agent, { ...query, part: query.part ?? 'job' });
            return {};
          case 'setUserEvent':
            await deployUserEvent(deps, agent, query);
            return {};
          default:
            throw new ValidationError('action', `"${query.action}" is not supported here (${ACTIONS.join(', ')} are)`);
        }
      },
    );
  }
}
