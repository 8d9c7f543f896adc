/**
 * What the server's Node.js is started with, wherever this repository starts it (the
 * Dockerfile, `server install`'s systemd unit, `npm start`, the fleet bench): V8 reads them
 * only at start. A young generation of up to 32 MB per semi-space instead of 16: under a
 * fleet the server allocates fast, objects of a request in flight outlived the smaller one
 * and were promoted, and the collector took 13–19 % of its CPU; measured with it, the CPU per
 * 1,000 agent jobs fell by about 14 % (bench/RESULTS.md). It is a ceiling, not a reservation:
 * an idle server keeps its young generation small.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
