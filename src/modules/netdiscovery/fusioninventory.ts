/**
 * Network discovery through a FusionInventory agent (Task/NetDiscovery.pm): the job becomes
 * an OPTION NETDISCOVERY whose PID names the jobstate attempt; the agent's NETDISCOVERY
 * messages report what it found (fusioninventory-reports.ts).
 */
import { type FusionInventoryHook, type ReplyNode, XmlAttributes } from '../sdk/index.ts';
import { discoveryReports } from './fusioninventory-reports.ts';
import { formatIpv4, parseRanges } from './ranges.ts';
import { type DiscoveryParams, timeoutMs } from './schema.ts';

/** The agent scans with one Perl thread per concurrent probe; past this many threads cost more than they give. */
const MAX_DISCOVERY_THREADS = 64;

export function discoveryOption(params: DiscoveryParams, processNumber: string): ReplyNode {
  const ranges = parseRanges(params.ranges, 'params.ranges');
  return {
    NAME: 'NETDISCOVERY',
    PARAM: new XmlAttributes({
      PID: processNumber,
      THREADS_DISCOVERY: Math.min(params.concurrency, MAX_DISCOVERY_THREADS),
      TIMEOUT: Math.ceil(timeoutMs(params) / 1000),
    }),
    RANGEIP: ranges.map(
      (range, i) => new XmlAttributes({ ID: i + 1, IPSTART: formatIpv4(range.first), IPEND: formatIpv4(range.last) }),
    ),
  };
}

export const discoveryFusionInventory: FusionInventoryHook<DiscoveryParams> = {
  prolog({ params, processNumber }) {
    const line =
      `handed to the agent's NetDiscovery task: ${params.ranges.join(', ')} ` +
      `(it finds machines by ping, ARP and NetBIOS; TCP ports ${params.ports.join(', ')} are not probed)`;
    return { lines: [line], option: discoveryOption(params, processNumber) };
  },
  reports: discoveryReports,
};
