// The single-file agent (`npm run build:agent`) for the tests and the footprint bench:
// dist/taskwarden-agent when it is built from the current sources, else a fresh one built
// into a folder of the caller's (esbuild and postject: some seconds, ~20 s on a loaded machine).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { AGENT_EXECUTABLE, agentExecutableState } from '../../scripts/build-state.mjs';

const root = resolve(import.meta.dirname, '../..');

export interface AgentExecutable {
  path: string;
  /** How long building it took, or null when the fresh dist/taskwarden-agent was used. */
  buildMs: number | null;
}

export function agentExecutable(buildDir: string): AgentExecutable {
  if (agentExecutableState(root) === 'fresh') return { path: join(root, AGENT_EXECUTABLE), buildMs: null };
  const path = join(buildDir, 'taskwarden-agent');
  const begin = performance.now();
  const res = spawnSync(process.execPath, [join(root, 'scripts', 'build-agent.mjs'), '--out', path], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.equal(res.status, 0, `npm run build:agent failed:\n${res.error ?? ''}${res.stdout}${res.stderr}`);
  return { path, buildMs: performance.now() - begin };
}
