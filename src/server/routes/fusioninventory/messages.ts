import { ValidationError } from '../../../core/errors.ts';
import { emptyReply } from '../../../modules/fusioninventory/prolog.ts';
import { agentVersionOf, recordPrologContact } from '../../fusioninventory/agents.ts';
import { type DecodedMessage, encodeReply } from '../../fusioninventory/body.ts';
import { onInventory } from '../../fusioninventory/inventory.ts';
import { onProlog } from '../../fusioninventory/prolog.ts';
import { onReportMessage, reportsModule } from '../../fusioninventory/reports.ts';
import { endpointUrls, type FusionApp, type FusionRouteDeps } from './deps.ts';

/**
 * `POST <path>`: the agent's XML messages (HTTP/Client/OCS.pm), each naming the machine
 * (DEVICEID) and what it is (QUERY): PROLOG at the start of every run, INVENTORY, and the
 * reports a module's FusionInventory hook reads (NETDISCOVERY). The reply is compressed the way the request was.
 */
export function messageRoutes(app: FusionApp, deps: FusionRouteDeps): void {
  for (const url of endpointUrls(deps.path)) {
    // Inventories run to a few MiB, sent over whatever link the machine has.
    const config = { auth: 'fusioninventory', bodyTimeout: 'upload' } as const;
    app.post(url, { config, schema: { hide: true } }, async (request, reply) => {
      const body = request.body as DecodedMessage | undefined;
      // Only this plugin's parser makes a DecodedMessage: a JSON body is no agent message.
      if (typeof body?.text !== 'string') {
        throw new ValidationError('body', 'must be a FusionInventory agent message (XML, zlib or gzip)');
      }
      const message = await deps.xml.read(body.text);
      const agent = await deps.agentOf(request, message.deviceId);
      let answer = emptyReply();
      switch (message.query) {
        case 'PROLOG': {
          const version = agentVersionOf(request.headers['user-agent']);
          answer = await onProlog(deps, await recordPrologContact(deps.store, agent, version, deps.clock.now()));
          break;
        }
        case 'INVENTORY':
          await onInventory(deps, agent, message);
          break;
        default: {
          const module = reportsModule(deps.modules, message.query);
          if (!module)
            throw new ValidationError('REQUEST.QUERY', `"${message.query}" is not supported here (${queries(deps)})`);
          await onReportMessage(deps, agent, { module, content: message.content });
        }
      }
      const encoded = encodeReply(answer, body.compression);
      return reply.type(encoded.contentType).send(encoded.body);
    });
  }
}

/** The QUERY values this server takes, for the refusal of another ("PROLOG, INVENTORY and NETDISCOVERY are"). */
function queries(deps: FusionRouteDeps): string {
  const reports = deps.modules.list().flatMap((module) => module.fusionInventory?.reports?.query ?? []);
  const all = ['PROLOG', 'INVENTORY', ...reports];
  return `${all.slice(0, -1).join(', ')} and ${all.at(-1)} are`;
}
