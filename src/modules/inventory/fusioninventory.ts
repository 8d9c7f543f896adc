/**
 * A FusionInventory inventory (the CONTENT of a QUERY=INVENTORY message) as Taskwarden's
 * own inventory, so both kinds of agents read the same in the UI and the API and diff the
 * same in the history. Taskwarden keeps what its own agents report (host, OS, CPU, memory,
 * disks, network interfaces); the rest of the agent's report (software, BIOS, controllers…)
 * is not kept. Every string and list is clipped to the inventory schema's bounds, so the
 * result always passes it.
 *
 * Units, from the agent's Perl inventory modules: HARDWARE/MEMORY and DRIVES/TOTAL, FREE in
 * MiB; CPUS/THREAD is the logical processors of one package (/proc/cpuinfo "siblings").
 */
import { type FusionInventoryHook, nodesOf, textOf, type XmlNode, type XmlValue } from '../sdk/index.ts';
import { diffInventory } from './diff.ts';
import { checkInventory, type Disk, type Inventory, type InventoryParams, type NetworkInterface } from './schema.ts';

const MIB = 2 ** 20;
const TEXT_MAX = 1000;
const NAME_MAX = 255;
const LIST_MAX = 500;
const ADDRESSES_MAX = 100;
const ADDRESS_MAX = 64;
/** Memory-backed or virtual filesystems: not disks (the same as the inventory module's df reading). */
const PSEUDO_FILESYSTEMS = new Set(['tmpfs', 'devtmpfs', 'udev', 'shm', 'none', 'devfs', 'proc', 'sysfs']);
const NO_MAC = '00:00:00:00:00:00';

/**
 * The inventory module's FusionInventory hook: the PROLOG reply asks the agent for its
 * inventory (RESPONSE SEND), which it then sends as QUERY=INVENTORY.
 */
export const inventoryFusionInventory: FusionInventoryHook<InventoryParams> = {
  prolog: () => ({
    sendInventory: true,
    lines: ['asked the FusionInventory agent for an inventory (PROLOG: RESPONSE SEND)'],
  }),
  inventory: {
    read: ({ content, host }) => {
      const inventory = checkInventory(inventoryFromContent(content, host), 'CONTENT');
      const summary =
        `inventory received: ${inventory.hostname}, ${inventory.os.name} ${inventory.os.version}, ` +
        `${inventory.cpu.cores} cores, ${inventory.disks.length} disks, ${inventory.interfaces.length} network interfaces`;
      return { data: { ...inventory }, summary };
    },
    diff: diffInventory,
  },
};

/** `host`: the machine's name when the report names none (from its DEVICEID). */
export function inventoryFromContent(content: XmlNode, host: string): Inventory {
  const hardware = nodesOf(content['HARDWARE'])[0] ?? {};
  const os = nodesOf(content['OPERATINGSYSTEM'])[0] ?? {};
  const cpus = nodesOf(content['CPUS']);
  const field = (node: XmlNode, name: string) => textOf(node[name]);
  return {
    hostname: clip(field(hardware, 'NAME') || field(os, 'FQDN') || host, NAME_MAX),
    os: {
      name: clip(field(os, 'NAME') || field(hardware, 'OSNAME') || 'unknown', TEXT_MAX),
      version: clip(field(os, 'VERSION') || field(os, 'SERVICE_PACK'), TEXT_MAX),
      kernel: clip(field(os, 'KERNEL_VERSION') || field(hardware, 'OSVERSION'), TEXT_MAX),
      arch: clip(field(os, 'ARCH') || field(cpus[0] ?? {}, 'ARCH'), 64),
    },
    cpu: {
      model: clip(field(cpus[0] ?? {}, 'NAME') || field(hardware, 'PROCESSORT') || 'unknown', TEXT_MAX),
      cores:
        cpus.length > 0
          ? cpus.reduce((sum, cpu) => sum + (count(cpu['THREAD']) || count(cpu['CORE']) || 1), 0)
          : count(hardware['PROCESSORN']),
    },
    memory: { totalBytes: count(hardware['MEMORY']) * MIB },
    disks: disksOf(nodesOf(content['DRIVES'])),
    interfaces: interfacesOf(nodesOf(content['NETWORKS'])),
  };
}

/** Mounted filesystems: the mount point on Unix (TYPE), the drive letter on Windows (LETTER). */
function disksOf(drives: readonly XmlNode[]): Disk[] {
  const disks = new Map<string, Disk>();
  for (const drive of drives) {
    const type = textOf(drive['TYPE']);
    const mount = type.startsWith('/') ? type : textOf(drive['LETTER']);
    const fs = textOf(drive['VOLUMN']) || textOf(drive['FILESYSTEM']);
    const sizeBytes = count(drive['TOTAL']) * MIB;
    const pseudo = PSEUDO_FILESYSTEMS.has(fs) || PSEUDO_FILESYSTEMS.has(textOf(drive['FILESYSTEM']));
    if (!mount || sizeBytes === 0 || pseudo || disks.has(mount)) continue;
    disks.set(mount, {
      mount: clip(mount, TEXT_MAX),
      fs: clip(fs, TEXT_MAX),
      sizeBytes,
      freeBytes: count(drive['FREE']) * MIB,
    });
  }
  return [...disks.values()].slice(0, LIST_MAX);
}

/** The agent lists one NETWORKS entry per address; Taskwarden one interface with its addresses. */
function interfacesOf(networks: readonly XmlNode[]): NetworkInterface[] {
  const byName = new Map<string, NetworkInterface>();
  for (const network of networks) {
    const name = clip(textOf(network['DESCRIPTION']), NAME_MAX);
    if (!name) continue;
    const nic = byName.get(name) ?? { name, mac: null, addresses: [], internal: false };
    byName.set(name, nic);
    nic.mac ??= macOf(textOf(network['MACADDR']));
    nic.internal ||= textOf(network['TYPE']) === 'loopback';
    for (const [address, mask] of [
      [textOf(network['IPADDRESS']), textOf(network['IPMASK'])],
      [textOf(network['IPADDRESS6']), textOf(network['IPMASK6'])],
    ] as const) {
      if (!address) continue;
      const prefix = prefixLength(mask);
      const cidr = clip(prefix === null ? address : `${address}/${prefix}`, ADDRESS_MAX);
      if (!nic.addresses.includes(cidr) && nic.addresses.length < ADDRESSES_MAX) nic.addresses.push(cidr);
    }
  }
  return [...byName.values()].slice(0, LIST_MAX);
}

function macOf(text: string): string | null {
  const mac = text.toLowerCase().replaceAll('-', ':');
  return /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac) && mac !== NO_MAC ? mac : null;
}

/** "255.255.255.0" → 24, "ffff:ffff:ffff:ffff::" → 64; null when it is no mask of leading ones. */
export function prefixLength(mask: string): number | null {
  let bits = '';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(mask)) {
    bits = mask
      .split('.')
      .map((octet) => Number(octet).toString(2).padStart(8, '0'))
      .join('');
  } else if (/^[0-9a-f:]+$/i.test(mask) && mask.includes(':')) {
    const [head = '', tail = ''] = mask.split('::');
    const groups = (part: string) => (part === '' ? [] : part.split(':'));
    const given = [...groups(head), ...groups(tail)];
    if (given.length > 8) return null;
    const zeros = Array.from({ length: 8 - given.length }, () => '0');
    const all = [...groups(head), ...zeros, ...groups(tail)];
    bits = all.map((group) => Number.parseInt(group, 16).toString(2).padStart(16, '0')).join('');
  }
  if (bits === '' || !/^1*0*$/.test(bits)) return null;
  const firstZero = bits.indexOf('0');
  return firstZero === -1 ? bits.length : firstZero;
}

/** A whole non-negative number from the agent's text ("24105", "-1" → 0). */
function count(value: XmlValue | undefined): number {
  const n = Number(textOf(value));
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}
