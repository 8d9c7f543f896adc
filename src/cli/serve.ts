import type { RunningServer } from '../server/start.ts';
import { watchRelauncher } from './relaunch.ts';

/** A signal stops the process within this much whatever runs (README: 10 s); exit 1 when it takes longer. */
const SHUTDOWN_LIMIT_MS = 10_000;
/** The graceful part ends this much before the limit, so it normally wins the race. */
const SHUTDOWN_MARGIN_MS = 1_000;
/**
 * The same signal again within this much is the same request, not a second one: sent to a
 * process group (a terminal's Ctrl+C, a service manager's stop), it reaches a relaunched
 * server both straight and through the process that relaunched it (relaunch.ts).
 */
const REPEAT_WINDOW_MS = 500;

/**
 * Keeps a started server until SIGTERM or SIGINT, then shuts it down gracefully (running
 * server jobs finish or checkpoint) and exits 0. A second signal means "now": exit 1, and
 * so does a shutdown still unfinished after SHUTDOWN_LIMIT_MS (a chunk that will not
 * stop; it resumes from its checkpoint on the next start). The same signal twice within
 * REPEAT_WINDOW_MS counts once. A relaunched server also stops when the process that
 * relaunched it goes away.
 */
export function serveUntilSignal(server: RunningServer, beforeClose: () => Promise<void> = async () => {}): void {
  let stopped: { signal: NodeJS.Signals; at: number } | null = null;
  const stop = (signal: NodeJS.Signals) => {
    if (stopped) {
      if (signal === stopped.signal && performance.now() - stopped.at < REPEAT_WINDOW_MS) return;
      process.exit(1);
    }
    stopped = { signal, at: performance.now() };
    process.stdout.write(`taskwarden: ${signal} received, shutting down\n`);
    setTimeout(() => {
      process.stderr.write(`taskwarden: shutdown unfinished after ${SHUTDOWN_LIMIT_MS} ms, exiting now\n`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    const until = performance.now() + SHUTDOWN_LIMIT_MS - SHUTDOWN_MARGIN_MS;
    beforeClose()
      .then(() => server.close(Math.max(0, until - performance.now())))
      .then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`taskwarden: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  watchRelauncher(() => stop('SIGTERM'));
}
