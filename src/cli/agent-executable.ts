// Entry point of the single-file agent (`npm run build:agent` → dist/taskwarden-agent):
// bundled by scripts/build-agent.mjs with everything it loads into one CommonJS script that
// a copy of the Node binary runs (Node's single executable applications). It takes the
// options of `taskwarden agent`, declared in one place, keeps its state where that does, and
// installs itself as the same systemd service (`install`, `uninstall`).
import type { AgentFlags } from '../agent/config.ts';
import { runAgent } from '../agent/main.ts';
import { declareAgentOptions } from './agent-options.ts';
import { newProgram, runProgram } from './command-line.ts';
import { registerAgentInstall } from './commands/agent-install.ts';

/** The package's version, written in by the bundler (esbuild `define`): there is no package.json beside it. */
declare const TASKWARDEN_VERSION: string;

const program = declareAgentOptions(
  newProgram(
    'taskwarden-agent',
    "The Taskwarden agent as one executable: runs this machine's agent (enrols the first time) until SIGTERM/SIGINT",
    TASKWARDEN_VERSION,
  ),
).action((flags: AgentFlags) => runAgent(flags, TASKWARDEN_VERSION));
// `taskwarden-agent install`/`uninstall`: the same systemd service, running this file.
registerAgentInstall(program);
runProgram(program);
