import { defineModule } from '../sdk/index.ts';
import { relayFusionInventory } from './fusioninventory.ts';
import { refineRelayParams, relayPayload, runRelay } from './relay.ts';
import { type RelayParams, relayParamsSchema, type WakeParams, wakeParamsSchema } from './schema.ts';
import { executeWake, summarizeWake } from './server.ts';

/**
 * `wakeonlan`: wakes the target agents' machines with magic packets the server sends
 * (they are asleep, so their jobstates run on the server); on the server target it wakes
 * the MACs its params list.
 */
export const wakeonlanModule = defineModule<WakeParams>({
  name: 'wakeonlan',
  title: 'Wake-on-LAN',
  icon: '⏰',
  description: "Wakes the target machines with magic packets sent to their inventory's MAC addresses.",
  runsOn: 'both',
  agentTargetsRunOn: 'server',
  paramsSchema: wakeParamsSchema,
  execute: executeWake,
  summarize: summarizeWake,
});

/** `wakeonlan-relay`: the same, sent by an agent on the sleeping machines' network (see relay.ts). */
export const wakeonlanRelayModule = defineModule<RelayParams>({
  name: 'wakeonlan-relay',
  title: 'Wake-on-LAN (relay)',
  icon: '⏰',
  description: 'Wakes machines through a relay agent on their network, for networks server broadcasts do not reach.',
  runsOn: 'agent',
  paramsSchema: relayParamsSchema,
  parseParams: refineRelayParams,
  payload: relayPayload,
  agent: { run: runRelay },
  summarize: summarizeWake,
  fusionInventory: relayFusionInventory,
});

export default [wakeonlanModule, wakeonlanRelayModule];
