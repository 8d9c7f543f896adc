// bin/taskwarden.js as the tests run it: on the TypeScript sources (TASKWARDEN_FROM_SOURCE=1,
// quietly), so a test checks the code as it is, never a dist/ build that may be stale.
// test/build/ checks the compiled build and how the bin chooses between the two.
import { resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../../bin/taskwarden.js');

/** This process's environment with `extra`, for a child that runs BIN. */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, TASKWARDEN_FROM_SOURCE: '1', ...extra };
}
