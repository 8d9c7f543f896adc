/**
 * TCP-connect probing: an address is a device when one of the ports accepts a connection.
 * `concurrency` connections are in flight at most; each gives up after `timeoutMs` (a port
 * behind a firewall that drops packets never answers). Found devices get a reverse DNS
 * name when one comes back quickly.
 */
import { promises as dns } from 'node:dns';
import { setMaxListeners } from 'node:events';
import { connect } from 'node:net';
import type { Clock, DeviceSighting } from '../sdk/index.ts';
import { parseIpv4 } from './ranges.ts';

export interface ScanOptions {
  ports: readonly number[];
  timeoutMs: number;
  concurrency: number;
  signal: AbortSignal;
  clock: Clock;
}

/** Reverse lookups run after the probes, a few at a time, each bounded (c-ares, off the thread pool). */
const DNS_TIMEOUT_MS = 1000;
const DNS_CONCURRENCY = 8;

export async function scan(addresses: Iterable<string>, options: ScanOptions): Promise<DeviceSighting[]> {
  const open = new Map<string, number[]>();
  const probes = pairs(addresses, options.ports);
  // Each probe in flight listens to the job's signal (and lets go once settled): that many
  // listeners at once is by design, not the leak Node warns of past ten.
  setMaxListeners(options.concurrency + DNS_CONCURRENCY + 10, options.signal);
  await pool(options.concurrency, async () => {
    for (let next = probes.next(); !next.done && !options.signal.aborted; next = probes.next()) {
      const [ip, port] = next.value;
      if (await probe(ip, port, options)) open.set(ip, [...(open.get(ip) ?? []), port]);
    }
  });
  const found = [...open.keys()].sort((a, b) => (parseIpv4(a) as number) - (parseIpv4(b) as number));
  const names = await reverseNames(found, options.signal);
  return found.map((ip) => ({
    ip,
    ports: (open.get(ip) as number[]).sort((a, b) => a - b),
    hostname: names.get(ip) ?? null,
  }));
}

function* pairs(addresses: Iterable<string>, ports: readonly number[]): Generator<[string, number]> {
  for (const ip of addresses) for (const port of ports) yield [ip, port];
}

async function pool(size: number, worker: () => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: size }, worker));
}

/** Whether `ip:port` accepts a TCP connection within the timeout; the connection is closed at once. */
export function probe(ip: string, port: number, options: Omit<ScanOptions, 'ports' | 'concurrency'>): Promise<boolean> {
  return new Promise((resolve) => {
    const settled = new AbortController();
    const socket = connect({ host: ip, port });
    const done = (isOpen: boolean) => {
      if (settled.signal.aborted) return;
      settled.abort();
      options.signal.removeEventListener('abort', giveUp);
      socket.destroy();
      resolve(isOpen);
    };
    const giveUp = () => done(false);
    socket.once('connect', () => done(true));
    socket.once('error', giveUp);
    options.signal.addEventListener('abort', giveUp, { once: true });
    void options.clock.sleep(options.timeoutMs, settled.signal).then(giveUp);
  });
}

async function reverseNames(ips: readonly string[], signal: AbortSignal): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const resolver = new dns.Resolver({ timeout: DNS_TIMEOUT_MS, tries: 1 });
  const onAbort = () => resolver.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  const queue = [...ips];
  try {
    await pool(Math.min(DNS_CONCURRENCY, queue.length), async () => {
      for (let ip = queue.shift(); ip !== undefined; ip = queue.shift()) {
        const name = await resolver.reverse(ip).then(
          (hostnames) => hostnames[0],
          () => undefined,
        );
        if (name) names.set(ip, name.slice(0, 253));
      }
    });
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return names;
}
