// The workload every contender of `npm run bench -- peers` runs, and how it is measured.
/** Jobs run at once by one worker process (graphile-worker's concurrency, pg-boss's workers, BullMQ's, the executor's slots). */
export const CONCURRENCY = 10;
/** Clients submitting jobs at once where a contender has no bulk API (Taskwarden's runs). */
export const PRODUCERS = 10;
/** (b): jobs are made due this long after their creation starts, so all exist (and workers run) before. */
export const DUE_MARGIN_MS = 20_000;

export interface Contender {
  name: string;
  /**
   * (a) `count` trivial jobs enqueued before any worker runs (not timed), then drained:
   * seconds from the workers' start to the last job's end.
   */
  throughput(count: number, limitMs: number): Promise<number>;
  /** (b) `count` trivial jobs all due at one instant: each one's start lateness, in ms. */
  lateness(count: number, limitMs: number): Promise<number[]>;
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

/** Calls `submit(first, size)` over 0..count-1 in chunks of `size` (bulk APIs), one chunk at a time. */
export async function submitChunks(
  count: number,
  size: number,
  submit: (first: number, size: number) => Promise<unknown>,
): Promise<void> {
  for (let first = 0; first < count; first += size) await submit(first, Math.min(size, count - first));
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
