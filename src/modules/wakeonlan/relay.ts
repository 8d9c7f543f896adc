/**
 * `wakeonlan-relay`: wake-on-LAN through an agent on the sleeping machines' network, for
 * networks the server's broadcasts do not reach (routers drop them). The job targets the
 * relay agent(s); its params name the machines to wake (agents by id or tag, and/or MACs).
 * The server half's payload resolves the agents to the MACs of their inventories; the
 * relay's agent half sends the packets.
 *
 * A separate module rather than a `relay` param of `wakeonlan`: who runs a jobstate is
 * fixed by its module when the run is created (agentTargetsRunOn), and `wakeonlan`'s
 * jobstates belong to the sleeping machines, which cannot run anything.
 */

import type { AgentJobContext, AgentOutcome, PayloadContext } from '../sdk/index.ts';
import { fieldPath, macsOf, ValidationError } from '../sdk/index.ts';
import { sendMagicPackets } from './magic-packet.ts';
import type { RelayParams, RelayPayload, WakeResult } from './schema.ts';

export function refineRelayParams(params: Record<string, unknown>, field: string): RelayParams {
  const relay = params as RelayParams;
  if (relay.agents && relay.tags) {
    throw new ValidationError(fieldPath(field, 'tags'), 'name the agents to wake by id or by tags, not both');
  }
  if (!relay.agents && !relay.tags && !relay.macs?.length) {
    throw new ValidationError(field, 'says nothing to wake: give agents, tags or macs');
  }
  return relay;
}

export async function relayPayload(ctx: PayloadContext<RelayParams>): Promise<RelayPayload> {
  const { agents, tags, macs = [] } = ctx.params;
  const select = agents ? { agents } : tags ? { tags } : null;
  const found = select ? await ctx.services.fleet.agents(select) : [];
  return {
    targets: [
      ...found.map((agent) => ({ name: agent.name, macs: macsOf(agent.inventory) })),
      ...macs.map((mac) => ({ name: mac, macs: [mac] })),
    ],
  };
}

export async function runRelay(ctx: AgentJobContext<RelayParams>): Promise<AgentOutcome> {
  const { targets } = ctx.payload as RelayPayload;
  const wakeable = targets.filter((target) => target.macs.length > 0);
  for (const target of targets) {
    if (target.macs.length === 0) ctx.log(`${target.name}: no MAC address known`);
  }
  const macs = wakeable.flatMap((target) => target.macs);
  const { broadcast, port } = ctx.params;
  if (macs.length > 0) {
    await sendMagicPackets(macs, { broadcast, port });
    ctx.log(`sent magic packets for ${wakeable.map((t) => t.name).join(', ')} to ${broadcast}:${port}`);
  }
  const result: WakeResult = { woken: wakeable.length, withoutMac: targets.length - wakeable.length, macs };
  return { ok: macs.length > 0, result, ...(macs.length > 0 ? {} : { reason: 'module_failed' as const }) };
}
