import type { Clock, DeviceSighting } from '../sdk/index.ts';
import { type AddressRange, addressesFrom, countAddresses } from './ranges.ts';
import { scan } from './scan.ts';
import { type DiscoveryParams, timeoutMs } from './schema.ts';

export interface Batch {
  sightings: DeviceSighting[];
  /** Index of the first address after this batch. */
  next: number;
  total: number;
}

/**
 * Scans the ranges from address `start` in batches small enough that even when every probe
 * times out a batch lasts about four timeouts; `onBatch` returns false to stop after one
 * (the server's chunk deadline). Returns the index of the first address not scanned.
 */
export async function scanInBatches(
  ranges: readonly AddressRange[],
  start: number,
  params: DiscoveryParams,
  env: { signal: AbortSignal; clock: Clock },
  onBatch: (batch: Batch) => Promise<boolean>,
): Promise<number> {
  const total = countAddresses(ranges);
  const size = Math.max(1, Math.floor((params.concurrency * 4) / params.ports.length));
  const options = { ...env, ports: params.ports, concurrency: params.concurrency, timeoutMs: timeoutMs(params) };
  let next = start;
  while (next < total && !env.signal.aborted) {
    const addresses = take(addressesFrom(ranges, next), Math.min(size, total - next));
    const sightings = await scan(addresses, options);
    if (env.signal.aborted) break;
    next += addresses.length;
    if (!(await onBatch({ sightings, next, total }))) break;
  }
  return next;
}

function take<T>(items: Iterator<T>, count: number): T[] {
  const out: T[] = [];
  while (out.length < count) {
    const item = items.next();
    if (item.done) break;
    out.push(item.value);
  }
  return out;
}

export const describeSighting = (s: DeviceSighting): string =>
  `${s.ip}${s.hostname ? ` (${s.hostname})` : ''}: open ${s.ports.join(', ')}`;
