// Is dist/ (the compiled src/) there and at least as new as what it is compiled from?
// Shared by bin/taskwarden.js (at every start, so it stays small and synchronous), the
// build script and the footprint bench.
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Written last by a successful build, with the time that build started. */
export const BUILD_STAMP = '.build-stamp';
/** What the compiled output depends on besides src/: the compiler's settings and the build itself. */
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json', 'scripts/build-src.mjs'];

// Paths joined by hand: path.join's normalising doubled the cost of this walk.
function newestIn(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestIn(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Newest modification time (ms) of the sources the build compiles. */
export function newestSource(root) {
  return Math.max(newestIn(join(root, 'src')), ...CONFIG_FILES.map((f) => statSync(join(root, f)).mtimeMs));
}

/**
 * `fresh`: dist/ is built from the current sources; `stale`: a source changed since;
 * `missing`: never built (or the last build failed); `no-source`: no src/ here (an install
 * that ships only the build), so dist/ is all there is.
 */
export function buildState(root) {
  if (!existsSync(join(root, 'src'))) return 'no-source';
  const stamp = join(root, 'dist', BUILD_STAMP);
  if (!existsSync(stamp)) return 'missing';
  return statSync(stamp).mtimeMs >= newestSource(root) ? 'fresh' : 'stale';
}

/** The single-file agent `npm run build:agent` writes (scripts/build-agent.mjs). */
export const AGENT_EXECUTABLE = 'dist/taskwarden-agent';
/** What goes into it besides src/: its build script and the installed packages it bundles. */
const AGENT_INPUTS = ['scripts/build-agent.mjs', 'package-lock.json'];

/** Is dist/taskwarden-agent there and built from the current sources (`fresh`)? */
export function agentExecutableState(root) {
  const built = statSync(join(root, AGENT_EXECUTABLE), { throwIfNoEntry: false });
  if (!built) return 'missing';
  const newest = Math.max(newestSource(root), ...AGENT_INPUTS.map((f) => statSync(join(root, f)).mtimeMs));
  return built.mtimeMs >= newest ? 'fresh' : 'stale';
}

/**
 * Puts a finished build in place of the old one. The single-file agent is built on its own
 * (`npm run build:agent`, a while): it moves into the new build rather than going with the old.
 */
export function replaceBuild(staging, dist) {
  const agent = join(dist, 'taskwarden-agent');
  if (existsSync(agent)) renameSync(agent, join(staging, 'taskwarden-agent'));
  rmSync(dist, { recursive: true, force: true });
  renameSync(staging, dist);
}
