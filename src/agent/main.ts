import { setFlagsFromString } from 'node:v8';
import type { AgentFlags } from './config.ts';

/**
 * The agent as a process (`taskwarden agent`): runs until SIGTERM/SIGINT. The agent's own
 * entry point, which loads nothing of the CLI or the server (test/architecture checks it),
 * so that a standalone agent executable can be built from it; `version` is the package's.
 */
export async function runAgent(flags: AgentFlags, version: string): Promise<void> {
  keepHeapSmall();
  // Loaded after that: loading the agent's modules is most of what it ever allocates.
  const { runAgentProcess } = await import('./process.ts');
  await runAgentProcess(flags, version);
}

/**
 * An agent mostly waits, and its work is I/O and child processes. Three V8 settings keep an
 * idle agent small (some 25 MB of it), set here because they work when set after start:
 * - the young generation need not grow from its first 1 MB semi-space to the default 16 MB,
 *   which stay resident once touched (V8 reads the growth factor each time it would grow);
 * - optimize-for-size lets V8 give back what starting left behind as soon as the agent is
 *   idle, instead of when the heap next fills up, which an idle agent may never do;
 * - no optimizing compiler (TurboFan; the interpreter's code goes to the baseline compiler
 *   only): its code and working memory cost some 7 MB, and the agent has no hot JavaScript
 *   loop to speed up (hashing, JSON and copying are native).
 */
function keepHeapSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--optimize-for-size');
  setFlagsFromString('--max-opt=1');
}
