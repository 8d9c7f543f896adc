/**
 * Server half of `wakeonlan`: the target machines are asleep, so the server sends their
 * magic packets itself (agentTargetsRunOn: 'server'): one jobstate per target agent, woken
 * by the MACs of its latest inventory; a job targeting the server wakes `params.macs`.
 */

import type { ExecuteOutcome, ModuleSummary, ServerJobContext, SummaryInput } from '../sdk/index.ts';
import { countIn, macsOf, otherOutcomes, resultOf } from '../sdk/index.ts';
import { sendMagicPackets } from './magic-packet.ts';
import type { WakeParams, WakeResult } from './schema.ts';

export async function executeWake(ctx: ServerJobContext<WakeParams>): Promise<ExecuteOutcome> {
  const { agentId } = ctx.jobstate;
  if (agentId === null) {
    const macs = ctx.params.macs ?? [];
    if (macs.length === 0) return refused(ctx, 'nothing to wake: a job on the server needs params.macs', 0);
    return wake(ctx, macs, macs.length);
  }
  const agent = await ctx.services.fleet.agent(agentId);
  if (!agent) return refused(ctx, `agent ${agentId} is not enrolled (any more)`, 1);
  const macs = macsOf(agent.inventory);
  if (macs.length === 0) {
    return refused(ctx, `${agent.name}: no MAC address known; an inventory of the agent records them`, 1);
  }
  ctx.log(`waking ${agent.name}`);
  return wake(ctx, macs, 1);
}

async function wake(ctx: ServerJobContext<WakeParams>, macs: string[], machines: number): Promise<ExecuteOutcome> {
  const { broadcast, port } = ctx.params;
  await sendMagicPackets(macs, { broadcast, port });
  ctx.log(`sent magic packets for ${macs.join(', ')} to ${broadcast}:${port}`);
  const result: WakeResult = { woken: machines, withoutMac: 0, macs };
  return { done: true, ok: true, result };
}

function refused(ctx: ServerJobContext<WakeParams>, message: string, withoutMac: number): ExecuteOutcome {
  ctx.log(message);
  const result: WakeResult = { woken: 0, withoutMac, macs: [] };
  return { done: true, ok: false, reason: 'module_failed', result };
}

/** "12 woken, 3 without MAC", for both wakeonlan and wakeonlan-relay. */
export function summarizeWake(jobstates: readonly SummaryInput[]): ModuleSummary {
  let woken = 0;
  let withoutMac = 0;
  for (const js of jobstates) {
    woken += countIn(resultOf(js), 'woken');
    withoutMac += countIn(resultOf(js), 'withoutMac');
  }
  const counted = (js: SummaryInput) => countIn(resultOf(js), 'withoutMac') > 0;
  return { details: `${woken} woken, ${withoutMac} without MAC${otherOutcomes(jobstates, counted)}` };
}
