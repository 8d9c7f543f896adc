// The workload every contender of `npm run bench -- peers` runs, and how it is measured.
import { setTimeout as sleep } from 'node:timers/promises';

/** Jobs run at once by one worker process (graphile-worker's concurrency, pg-boss's workers, the executor's slots). */
export const CONCURRENCY = 10;
/** Clients submitting jobs at once in (a). */
export const PRODUCERS = 10;
/** (b): jobs are made due this long after their creation starts, so all exist (and workers run) before. */
export const DUE_MARGIN_MS = 20_000;

export interface Contender {
  name: string;
  /**
   * (a) `count` trivial jobs submitted one by one by PRODUCERS concurrent clients while
   * the workers run; seconds from the first submission to the last job's end.
   */
  throughput(count: number): Promise<number>;
  /** (b) `count` trivial jobs all due at one instant: each one's start lateness, in ms. */
  lateness(count: number): Promise<number[]>;
}

/** Calls `submit(i)` for i in 0..count-1 from PRODUCERS concurrent loops. */
export async function submitAll(count: number, submit: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: PRODUCERS }, async () => {
      while (next < count) await submit(next++);
    }),
  );
}

/**
 * Polls `probe` every `everyMs` until it holds; throws after an hour (a stuck contender, not
 * a slow one: pg-boss needs 1,000 s for (a)). A probe that queries the database under test
 * takes from the contender it measures: such probes poll less often.
 */
export async function until(what: string, probe: () => boolean | Promise<boolean>, everyMs = 20): Promise<void> {
  const end = Date.now() + 3_600_000;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The instant (b)'s jobs are due, and a check that everything was ready before it. */
export function dueInstant(): { at: number; assertBefore(what: string): void } {
  const at = Date.now() + DUE_MARGIN_MS;
  return {
    at,
    assertBefore(what) {
      if (Date.now() > at - 500)
        throw new Error(`bench: ${what} took longer than ${DUE_MARGIN_MS} ms; raise DUE_MARGIN_MS`);
    },
  };
}
