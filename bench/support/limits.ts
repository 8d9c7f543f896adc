// Every wait of a bench has a terminal condition and a time limit: a stuck run fails with
// what it saw, it never hangs. A watchdog over the whole bench backs the waits up.
import { setTimeout as sleep } from 'node:timers/promises';

/** A wait that reached its time limit: its message says what the bench saw meanwhile. */
export class BenchStuck extends Error {}

export interface WaitOptions {
  limitMs: number;
  /** How often `probe` runs; a probe that queries the system under test should run rarely. */
  everyMs?: number;
  /** What the bench saw, for the error message when the limit is reached. */
  seen?: () => unknown;
}

/** Polls `probe` until it holds; throws BenchStuck after `limitMs`. */
export async function waitFor(
  what: string,
  probe: () => boolean | Promise<boolean>,
  { limitMs, everyMs = 20, seen }: WaitOptions,
): Promise<void> {
  const end = performance.now() + limitMs;
  while (!(await probe())) {
    if (performance.now() > end) throw await stuck(what, limitMs, seen);
    await sleep(everyMs);
  }
}

/** `promise`, or BenchStuck when it has not settled within `limitMs`. */
export async function within<T>(what: string, promise: Promise<T>, limitMs: number, seen?: () => unknown): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => stuck(what, limitMs, seen).then(reject, reject), limitMs);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

async function stuck(what: string, limitMs: number, seen?: () => unknown): Promise<BenchStuck> {
  const saw = seen ? `; seen: ${JSON.stringify(await seen())}` : '';
  return new BenchStuck(`bench: no ${what} within ${Math.round(limitMs / 1000)} s${saw}`);
}

/**
 * Ends the process (exit 1) if the bench is still running after `limitMs`: the last line of
 * defence when a wait is not bounded by one of the helpers above. Unref'd: it never keeps a
 * finished bench alive.
 */
export function watchdog(name: string, limitMs: number): void {
  setTimeout(() => {
    process.stderr.write(`bench ${name}: still running after ${Math.round(limitMs / 1000)} s, giving up\n`);
    process.exit(1);
  }, limitMs).unref();
}
