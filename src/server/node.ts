import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Clock } from '../core/clock.ts';
import { DbSyncedClock } from '../core/db-clock.ts';
import type { Store } from '../core/ports/store.ts';
import type { NodeIdentity } from '../engine/node-heartbeat.ts';

/** This process as the nodes table shows it. */
export function nodeIdentity(): NodeIdentity {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return { hostname: hostname(), pid: process.pid, version: pkg.version };
}

export interface NodeClock {
  clock: Clock;
  /** How far the base clock is ahead of the database's (ms, as last measured); null without a database clock. */
  offsetMs(): number | null;
  stop(): Promise<void>;
}

/**
 * The clock a server node runs on. On a store with a clock of its own (PostgreSQL) it is
 * `base` synced to the database clock, so nodes whose clocks disagree still agree on what
 * is due, and `onJump` hears of the machine's clock being set (which changes nothing
 * there); elsewhere (SQLite: one node) it is `base` itself, and the engine logs its jumps.
 */
export async function startNodeClock(
  store: Store,
  base: Clock,
  onJump: (jumpMs: number) => void = () => {},
): Promise<NodeClock> {
  const dbNow = store.dbNow?.bind(store);
  if (!dbNow) return fixedNodeClock(base);
  const clock = new DbSyncedClock(base, dbNow);
  clock.onBaseJump = onJump;
  await clock.start();
  // DbSyncedClock's offset is what it adds to the base clock: the database's minus ours.
  return { clock, offsetMs: () => (clock.isSynced ? -clock.offsetMs : null), stop: () => clock.stop() };
}

/** `clock` as it is, with no database clock to compare it with. */
export function fixedNodeClock(clock: Clock): NodeClock {
  return { clock, offsetMs: () => null, stop: async () => {} };
}
