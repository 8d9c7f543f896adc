/** Agent half of `netdiscovery`: probes the ranges from the agent's network and reports the devices found. */
import type { AgentJobContext, AgentOutcome, DeviceSighting } from '../sdk/index.ts';
import { describeSighting, scanInBatches } from './batches.ts';
import { countAddresses, parseRanges } from './ranges.ts';
import type { DiscoveryParams, DiscoveryReport } from './schema.ts';

export async function runDiscovery(ctx: AgentJobContext<DiscoveryParams>): Promise<AgentOutcome> {
  const ranges = parseRanges(ctx.params.ranges, 'params.ranges');
  const total = countAddresses(ranges);
  ctx.log(`probing ${total} addresses on ports ${ctx.params.ports.join(', ')}`);
  const devices: DeviceSighting[] = [];
  const scanned = await scanInBatches(ranges, 0, ctx.params, ctx, async ({ sightings, next }) => {
    for (const sighting of sightings) ctx.log(describeSighting(sighting));
    devices.push(...sightings);
    ctx.progress((next / total) * 100, `${next} of ${total} addresses, ${devices.length} devices`);
    return true;
  });
  // Stopped (cancelled, timed out, shutting down): the runtime reports why; nothing is recorded.
  if (scanned < total) return { ok: false, result: { addresses: scanned, found: devices.length } };
  const report: DiscoveryReport = { addresses: total, devices };
  return { ok: true, result: report };
}
