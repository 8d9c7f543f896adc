/**
 * What the agent half collects, from Node's `os` module, /etc/os-release and `df -kP`
 * (POSIX output: one line per filesystem, sizes in KiB, the mount point last).
 */
import { readFile } from 'node:fs/promises';
import os, { type NetworkInterfaceInfo } from 'node:os';
import { runProcess } from '../sdk/index.ts';
import type { Disk, Inventory, NetworkInterface } from './schema.ts';

/** df can hang on a dead network mount; past this the disks are reported as far as df got. */
const DF_TIMEOUT_MS = 30_000;

/** Memory-backed or virtual filesystems: not disks, and their free space is noise. */
const PSEUDO_FILESYSTEMS = new Set(['tmpfs', 'devtmpfs', 'udev', 'shm', 'none', 'devfs', 'map auto_home']);

export async function collectInventory(signal: AbortSignal): Promise<Inventory> {
  const release = await readOsRelease();
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    os: {
      name: release.get('NAME') ?? os.type(),
      version: release.get('VERSION_ID') ?? release.get('VERSION') ?? os.version(),
      kernel: os.release(),
      arch: os.arch(),
    },
    cpu: { model: cpus[0]?.model.trim() || 'unknown', cores: cpus.length || os.availableParallelism() },
    memory: { totalBytes: os.totalmem() },
    disks: await collectDisks(signal),
    interfaces: networkInterfaces(os.networkInterfaces()),
  };
}

/** KEY=value lines, values optionally quoted (os-release(5)); empty where the file is missing (macOS). */
async function readOsRelease(): Promise<Map<string, string>> {
  const fields = new Map<string, string>();
  let text: string;
  try {
    text = await readFile('/etc/os-release', 'utf8');
  } catch {
    return fields;
  }
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) fields.set(match[1] as string, (match[2] as string).replace(/^(["'])(.*)\1$/, '$2'));
  }
  return fields;
}

async function collectDisks(signal: AbortSignal): Promise<Disk[]> {
  const lines: string[] = [];
  const timeout = AbortSignal.any([signal, AbortSignal.timeout(DF_TIMEOUT_MS)]);
  await runProcess({
    argv: ['df', '-kP'],
    signal: timeout,
    killGraceMs: 1000,
    onLine: (stream, line) => stream === 'stdout' && lines.push(line),
  });
  return parseDf(lines);
}

/** `Filesystem 1024-blocks Used Available Capacity Mounted on`; mount points may contain spaces. */
const DF_LINE = /^(.+?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+%|-)\s+(\/.*)$/;

export function parseDf(lines: readonly string[]): Disk[] {
  const disks = new Map<string, Disk>();
  for (const line of lines) {
    const match = DF_LINE.exec(line.trim());
    if (!match) continue;
    const [, fs, blocks, , available, , mount] = match as unknown as string[];
    const sizeBytes = Number(blocks) * 1024;
    if (sizeBytes === 0 || PSEUDO_FILESYSTEMS.has(fs as string)) continue;
    // A filesystem mounted twice (bind mounts) shows once per mount point; keep the first.
    if (!disks.has(mount as string)) {
      disks.set(mount as string, {
        mount: mount as string,
        fs: fs as string,
        sizeBytes,
        freeBytes: Number(available) * 1024,
      });
    }
  }
  return [...disks.values()];
}

const NO_MAC = '00:00:00:00:00:00';

export function networkInterfaces(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): NetworkInterface[] {
  return Object.entries(interfaces).map(([name, infos = []]) => {
    const mac = infos.find((info) => info.mac !== NO_MAC)?.mac.toLowerCase() ?? null;
    return {
      name,
      mac,
      addresses: infos.map((info) => info.cidr ?? info.address),
      internal: infos.some((info) => info.internal),
    };
  });
}
