import { type AgentFlags, resolveAgentConfig } from './config.ts';
import { type AgentLogLevel, createAgentLog, isAgentLogLevel } from './log.ts';
import { agentModules } from './modules.ts';
import { AgentRuntime } from './runtime.ts';

/** The agent as a process, until SIGTERM/SIGINT: see main.ts. */
export async function runAgentProcess(flags: AgentFlags, version: string): Promise<void> {
  const config = resolveAgentConfig(flags, process.cwd(), version);
  const log = createAgentLog(logLevel(process.env['TASKWARDEN_LOG_LEVEL']));
  const starting = new AbortController();
  let runtime: AgentRuntime | null = null;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A second signal means "now": no grace for the last events (they stay spooled).
    if (stopping) process.exit(1);
    stopping = true;
    log.info(`${signal} received, shutting down`);
    starting.abort();
    if (!runtime) process.exit(0);
    runtime.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  runtime = await AgentRuntime.start(config, { modules: await agentModules(config.modules), log }, starting.signal);
}

/** TASKWARDEN_LOG_LEVEL as for the server; pino's extra levels map to the nearest of ours. */
function logLevel(value: string | undefined): AgentLogLevel {
  if (value === 'trace') return 'debug';
  if (value === 'fatal' || value === 'silent') return 'error';
  return value && isAgentLogLevel(value) ? value : 'info';
}
