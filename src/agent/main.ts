import { setFlagsFromString } from 'node:v8';
import type { AgentFlags } from './config.ts';

/**
 * The agent as a process (`taskwarden agent`): runs until SIGTERM/SIGINT. The agent's own
 * entry point, which loads nothing of the CLI or the server (test/architecture checks it),
 * so that a standalone agent executable can be built from it; `version` is the package's.
 */
export async function runAgent(flags: AgentFlags, version: string): Promise<void> {
  keepYoungGenerationSmall();
  // Loaded after that: loading the agent's modules is most of what it ever allocates.
  const { runAgentProcess } = await import('./process.ts');
  await runAgentProcess(flags, version);
}

/**
 * An agent mostly waits, and what it allocates dies young: V8's young generation need not
 * grow from its first 1 MB semi-space to the default 16 MB, which stay resident once touched
 * (some 14 MB of an idle agent). V8 reads this flag each time that space would grow, so
 * setting it after start works, unlike --max-semi-space-size.
 */
function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
