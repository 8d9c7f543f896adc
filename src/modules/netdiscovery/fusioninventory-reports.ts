/**
 * Network discovery for the FusionInventory agent (Task/NetDiscovery.pm). The PROLOG reply
 * hands a job as an OPTION named NETDISCOVERY: one PARAM (PID, THREADS_DISCOVERY, TIMEOUT)
 * and a RANGEIP (IPSTART, IPEND) per range. The agent then sends, each as its own
 * QUERY=NETDISCOVERY message with PROCESSNUMBER = the PID: AGENT/START per range, AGENT/NBIP
 * (addresses to scan, over-counted when there are several ranges), one DEVICE per machine
 * that answered, and AGENT/END (twice).
 *
 * The agent finds machines by ping, ARP, NetBIOS and SNMP (SNMP only with credentials, which
 * Taskwarden does not hand out), never by TCP port: the job's `ports` are not used, and its
 * devices are recorded with no open ports.
 */
import {
  type DeviceSighting,
  type FusionInventoryReports,
  nodesOf,
  textOf,
  ValidationError,
  type XmlNode,
} from '../sdk/index.ts';
import { countAddresses, inRanges, parseIpv4, parseRanges } from './ranges.ts';
import type { DiscoveryParams, DiscoveryReport } from './schema.ts';

/** What one NETDISCOVERY message says. */
export interface DiscoveryMessage {
  processNumber: string;
  started: boolean;
  /** AGENT/NBIP: how many addresses the job scans. */
  addresses: number | null;
  ended: boolean;
  devices: FoundDevice[];
}

export interface FoundDevice extends DeviceSighting {
  mac: string | null;
}

export function readDiscoveryMessage(content: XmlNode): DiscoveryMessage {
  const processNumber = textOf(content['PROCESSNUMBER']);
  if (!processNumber) throw new ValidationError('CONTENT.PROCESSNUMBER', 'is missing');
  const agent = nodesOf(content['AGENT'])[0] ?? {};
  const nbip = textOf(agent['NBIP']);
  return {
    processNumber,
    started: textOf(agent['START']) === '1',
    addresses: /^\d{1,6}$/.test(nbip) ? Number(nbip) : null,
    ended: textOf(agent['END']) === '1',
    devices: nodesOf(content['DEVICE']).map((device, i) => foundDevice(device, `CONTENT.DEVICE[${i}]`)),
  };
}

/** The name to show: what the device says (SNMP, NetBIOS), else DNS, unless that is only the address again. */
function foundDevice(device: XmlNode, field: string): FoundDevice {
  const ip = textOf(device['IP']);
  if (parseIpv4(ip) === null) throw new ValidationError(`${field}.IP`, `"${ip}" is not an IPv4 address`);
  const names = ['SNMPHOSTNAME', 'NETBIOSNAME', 'DNSHOSTNAME'].map((name) => textOf(device[name]));
  const hostname = names.find((name) => name !== '' && name !== ip)?.slice(0, 253) ?? null;
  const mac = textOf(device['MAC']).toLowerCase();
  return { ip, ports: [], hostname, mac: /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac) ? mac : null };
}

function describeDevice(device: FoundDevice): string {
  const name = device.hostname ? ` (${device.hostname})` : '';
  return `found ${device.ip}${name}${device.mac ? `, MAC ${device.mac}` : ''}`;
}

/**
 * The NETDISCOVERY messages (src/server/fusioninventory/reports.ts keeps the sightings
 * between them): START and NBIP are logged, each DEVICE in the job's ranges is logged and
 * kept, END ends the job with what was kept. The addresses probed are the job's own count:
 * the agent's NBIP over-counts a job of several ranges (2.6 adds its growing address list
 * once per range).
 */
export const discoveryReports: FusionInventoryReports<DiscoveryParams> = {
  query: 'NETDISCOVERY',
  read(content) {
    const message = readDiscoveryMessage(content);
    return {
      processNumber: message.processNumber,
      take(params) {
        const ranges = parseRanges(params.ranges, 'params.ranges');
        const lines: string[] = [];
        if (message.started) lines.push('the agent started scanning (ping, ARP, NetBIOS)');
        if (message.addresses !== null) lines.push(`${countAddresses(ranges)} addresses to scan`);
        const devices: DeviceSighting[] = [];
        for (const device of message.devices) {
          if (!inRanges(device.ip, ranges)) {
            lines.push(`ignored ${device.ip}: not in the ranges of the job`);
            continue;
          }
          lines.push(describeDevice(device));
          devices.push({ ip: device.ip, ports: device.ports, hostname: device.hostname });
        }
        return { lines, devices, ended: message.ended };
      },
    };
  },
  end(params, devices) {
    const report: DiscoveryReport = { addresses: countAddresses(parseRanges(params.ranges, 'params.ranges')), devices };
    return { line: `the agent finished: ${devices.length} devices answered`, result: report };
  },
};
