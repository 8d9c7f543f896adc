#!/usr/bin/env node
// Compiles src/ to dist/ with tsc (JavaScript, source maps, and declarations for
// `taskwarden/sdk`), so that `taskwarden` starts without a TypeScript compiler in memory.
// Run by `npm ci` (prepare: only when dist/ is missing or older than src/) and by
// `npm run build` (always). tsc writes a fresh folder that replaces dist/ only once the
// whole build succeeded: a failed build leaves no half-compiled dist/, and
// bin/taskwarden.js then runs the sources through tsx. `--out-dir DIR` builds elsewhere.
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_STAMP, buildState } from './build-state.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outFlag = process.argv.indexOf('--out-dir');
const dist = outFlag > 0 ? resolve(process.argv[outFlag + 1] ?? '') : join(root, 'dist');
if (process.argv.includes('--if-stale') && buildState(root) === 'fresh') process.exit(0);

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!existsSync(tsc)) {
  console.warn('taskwarden: typescript is not installed (dev dependency), src/ is not compiled: it runs through tsx');
  process.exit(0);
}
// The stamp gets the time the build started: a source saved while tsc runs makes it stale.
const startedAt = new Date();
const staging = `${dist}.building-${process.pid}`;
const res = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', staging], {
  cwd: root,
  stdio: 'inherit',
});
if (res.status !== 0) {
  rmSync(staging, { recursive: true, force: true });
  console.error(`taskwarden: compiling src/ failed (tsc exit ${res.status ?? res.signal}); dist/ is unchanged`);
  process.exit(res.status || 1);
}
const stamp = join(staging, BUILD_STAMP);
writeFileSync(stamp, `${startedAt.toISOString()}\n`);
utimesSync(stamp, startedAt, startedAt);
rmSync(dist, { recursive: true, force: true });
renameSync(staging, dist);
