import { defineModule } from '../sdk/index.ts';
import { runDiscovery } from './agent.ts';
import { discoveryFusionInventory } from './fusioninventory.ts';
import { type DiscoveryParams, discoveryParamsSchema, refineDiscoveryParams } from './schema.ts';
import { acceptDiscovery, executeDiscovery, summarizeDiscovery } from './server.ts';

/**
 * `netdiscovery`: finds the machines of IPv4 ranges by TCP-connect probing of a port list,
 * from an agent's network or from the server's, and records them as the org's devices
 * (new ones and updates of known ones).
 */
export const netdiscoveryModule = defineModule<DiscoveryParams>({
  name: 'netdiscovery',
  title: 'Network discovery',
  icon: '📡',
  description: 'Probes IPv4 ranges for open TCP ports and records the devices found.',
  runsOn: 'both',
  paramsSchema: discoveryParamsSchema,
  parseParams: refineDiscoveryParams,
  execute: executeDiscovery,
  accept: acceptDiscovery,
  agent: { run: runDiscovery },
  summarize: summarizeDiscovery,
  fusionInventory: discoveryFusionInventory,
});

export default netdiscoveryModule;
