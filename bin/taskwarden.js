#!/usr/bin/env node
// Entry point of the `taskwarden` command: runs the JavaScript compiled into dist/
// (`npm run build`, also run by `npm ci`), so no TypeScript compiler is loaded at start.
// In a checkout whose dist/ is missing or older than src/, it runs the TypeScript sources
// through tsx instead and says so on stderr; TASKWARDEN_FROM_SOURCE=1 asks for the
// sources without a word (the tests do, so they check the code, not a stale build).
import { fileURLToPath } from 'node:url';
import { buildState } from '../scripts/build-state.mjs';

const fromSource = process.env.TASKWARDEN_FROM_SOURCE === '1';
const state = fromSource ? 'source' : buildState(fileURLToPath(new URL('..', import.meta.url)));
if (state === 'fresh' || state === 'no-source') {
  await import('../dist/cli/main.js');
} else {
  // A server relaunched with its Node flags (src/cli/relaunch.ts) said so already, from its first process.
  if (!fromSource && process.env.TASKWARDEN_RELAUNCHED !== '1') {
    const why = state === 'stale' ? 'older than src/' : 'not built';
    process.stderr.write(
      `taskwarden: dist/ is ${why}, running the TypeScript through tsx (npm run build compiles it)\n`,
    );
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
