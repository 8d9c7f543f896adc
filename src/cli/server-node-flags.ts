/**
 * What the server's Node.js is started with, wherever this repository starts it (the
 * Dockerfile, `server install`'s systemd unit, `npm start`, the fleet bench): V8 reads them
 * only at start. A young generation of up to 64 MB per semi-space instead of 16: under a
 * fleet the server allocates fast (some 50 KB a request), and the objects of requests in
 * flight outlived a smaller one, were copied and promoted, and the collector took 13–19 %
 * of its CPU. 32 MB cut the CPU per 1,000 agent jobs by about 14 %; 64 MB cut the
 * collector's pauses by another 35 % (fleet bench, `--trace-gc`: 809/829 → 483/555 ms of
 * scavenges a run; 128 MB: 423/436, not worth its memory). It is a ceiling, not a
 * reservation: an idle server keeps its young generation small (bench/RESULTS.md).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

/**
 * Whether this Node must serve as it was started rather than relaunch itself with
 * SERVER_NODE_FLAGS (cli/relaunch.ts): it was given a young-generation size of its own
 * choosing (ours, or the admin's), or a debugger is to attach to it (`--inspect…`), on its
 * command line or in NODE_OPTIONS.
 */
export function servesAsStarted(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const flags = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)];
  return flags.some((flag) => /^--(max[-_]semi[-_]space[-_]size|inspect(-brk|-wait|-port)?)(=|$)/.test(flag));
}
