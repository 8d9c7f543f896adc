import type { RunningServer } from '../server/start.ts';

/**
 * Keeps a started server until SIGTERM or SIGINT, then shuts it down gracefully (running
 * server jobs finish or checkpoint) and exits 0. A second signal means "now": exit 1.
 */
export function serveUntilSignal(server: RunningServer, beforeClose: () => Promise<void> = async () => {}): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stdout.write(`taskwarden: ${signal} received, shutting down\n`);
    beforeClose()
      .then(() => server.close())
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
}
