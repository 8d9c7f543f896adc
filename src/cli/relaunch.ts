import { spawn } from 'node:child_process';
import { SERVER_NODE_FLAGS, servesAsStarted } from './server-node-flags.ts';

/** Signals passed on to the server: the stops (serve.ts) and the TLS reload (SIGHUP). */
const PASSED_ON: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
/** Set in the relaunched server's environment: it never relaunches again, and it stops when this process goes. */
const RELAUNCHED_ENV = 'TASKWARDEN_RELAUNCHED';
/** This process is a relaunched server (read from, then taken out of, its environment: its jobs need not see it). */
let relaunched = false;

/**
 * `taskwarden server` and `demo` started by a bare `node` (npx, a shell, an admin's own
 * init script or container) would serve a fleet with V8's default young generation, which
 * costs about an eighth more CPU per agent job (server-node-flags.ts), and V8 sizes it
 * only at start. So, unless a size was chosen (the Dockerfile, `server install`'s unit
 * and `npm start` pass SERVER_NODE_FLAGS; an admin may pass their own) or a debugger is to
 * attach to this process (servesAsStarted), the command runs
 * again in a child Node started with those flags, and this process only stands between
 * it and whoever started it:
 *
 * * the child shares its stdio and process group (a terminal's Ctrl+C and Ctrl+Z reach
 *   it as before);
 * * a stop or SIGHUP sent to this process alone is passed on; the same signal sent to the
 *   whole group reaches the child twice, which it counts as one (serve.ts);
 * * this process ends as the child did: its exit code, or killed by the same signal;
 * * killed itself (SIGKILL), it closes the child's IPC channel, and the child stops
 *   gracefully (watchRelauncher).
 *
 * Returns false, doing nothing, when the flags are in effect or this is the relaunched child.
 */
export function relaunchWithServerFlags(): boolean {
  if (process.env[RELAUNCHED_ENV] === '1') {
    relaunched = true;
    delete process.env[RELAUNCHED_ENV];
    // The channel to the relauncher must not keep this process alive (a command that fails ends as it would).
    process.channel?.unref();
    return false;
  }
  if (servesAsStarted(process.execArgv, process.env.NODE_OPTIONS)) return false;
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [RELAUNCHED_ENV]: '1' },
  });
  for (const signal of PASSED_ON) process.on(signal, () => child.kill(signal));
  child.on('error', (err) => {
    process.stderr.write(`taskwarden: cannot start the server's Node: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    for (const passed of PASSED_ON) process.removeAllListeners(passed);
    process.kill(process.pid, signal);
  });
  return true;
}

/**
 * In a relaunched server: `stop` when the process that relaunched it goes away (its IPC
 * channel closes), as when it was killed with no chance to pass a signal on.
 */
export function watchRelauncher(stop: () => void): void {
  if (!relaunched || !process.connected) return;
  process.once('disconnect', stop);
}
