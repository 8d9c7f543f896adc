// Parent side of the fleet bench's simulated clients (fleet-agents.ts): `count` clients
// spread over several processes, started, read and killed together.
import { join } from 'node:path';
import type { ClientStats } from './fleet-agents.ts';
import { forkBenchChild } from './ipc-child.ts';

export interface ClientFleet {
  /** Counters summed over the processes; with `takeHolds`, the instants jobs reached clients since the last take. */
  snapshot(takeHolds?: boolean): Promise<{ stats: ClientStats; holds: number[] }>;
  kill(): void;
}

export interface FleetSpec {
  mode: 'agents' | 'ceiling';
  base: string;
  count: number;
  processes: number;
  /** The enrolment token (mode `agents`). */
  token?: string;
  /** Bound of every request to the processes, starting them included. */
  limitMs: number;
  /** stdout lines in each job's events call, before its end. */
  logLines: number;
}

const SCRIPT = join(import.meta.dirname, 'fleet-agents.ts');
/**
 * Connections being opened at once over all processes: well under Node's listen backlog
 * (511), which a loaded server drains slowly; beyond it the kernel drops connections
 * (ListenOverflows) and resets them later, which measures the kernel, not the server.
 */
const CONNECTING_AT_ONCE = 200;

export async function startClientFleet(spec: FleetSpec): Promise<ClientFleet> {
  const per = Math.ceil(spec.count / spec.processes);
  const children = Array.from({ length: spec.processes }, (_, i) => {
    const count = Math.max(0, Math.min(per, spec.count - i * per));
    const wave = String(Math.max(1, Math.floor(CONNECTING_AT_ONCE / spec.processes)));
    const args = [
      spec.mode,
      spec.base,
      String(count),
      `${spec.mode}${i}`,
      String(spec.limitMs),
      wave,
      String(spec.logLines),
      spec.token ?? '',
    ];
    return forkBenchChild(SCRIPT, args);
  });
  const fleet: ClientFleet = {
    async snapshot(takeHolds = false) {
      const all = await Promise.all(
        children.map((child) =>
          child.request<{ stats: ClientStats; holds: number[] }>({ type: 'snapshot', takeHolds }, spec.limitMs),
        ),
      );
      return { stats: sumOf(all.map((one) => one.stats)), holds: all.flatMap((one) => one.holds) };
    },
    kill: () => {
      for (const child of children) child.kill();
    },
  };
  try {
    await Promise.all(children.map((child) => child.request({ type: 'connect' }, spec.limitMs)));
    await Promise.all(children.map((child) => child.request({ type: 'go' }, spec.limitMs)));
  } catch (err) {
    fleet.kill();
    throw err;
  }
  return fleet;
}

/** Counters at zero: a client process's start, and the sum's. */
export function emptyClientStats(): ClientStats {
  return {
    requests: 0,
    contacts: 0,
    jobs: 0,
    errors: 0,
    staleSocketRetries: 0,
    connectionsOpened: 0,
    errorsBy: {},
  };
}

function sumOf(all: ClientStats[]): ClientStats {
  const sum = emptyClientStats();
  for (const one of all) {
    sum.requests += one.requests;
    sum.contacts += one.contacts;
    sum.jobs += one.jobs;
    sum.errors += one.errors;
    sum.staleSocketRetries += one.staleSocketRetries;
    sum.connectionsOpened += one.connectionsOpened;
    for (const [key, n] of Object.entries(one.errorsBy)) sum.errorsBy[key] = (sum.errorsBy[key] ?? 0) + n;
  }
  return sum;
}
