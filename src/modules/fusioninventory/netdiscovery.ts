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
import { parseIpv4 } from '../netdiscovery/ranges.ts';
import { type DeviceSighting, ValidationError } from '../sdk/index.ts';
import { nodesOf, textOf, type XmlNode } from './xml.ts';

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

export function describeDevice(device: FoundDevice): string {
  const name = device.hostname ? ` (${device.hostname})` : '';
  return `found ${device.ip}${name}${device.mac ? `, MAC ${device.mac}` : ''}`;
}
