/** The agent's own log (not a job's): one line per message on stderr, with a time and a level. */
export interface AgentLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type AgentLogLevel = (typeof LEVELS)[number];

export function isAgentLogLevel(value: string): value is AgentLogLevel {
  return (LEVELS as readonly string[]).includes(value);
}

export function createAgentLog(
  level: AgentLogLevel = 'info',
  write: (line: string) => void = (line) => process.stderr.write(line),
  now: () => number = Date.now,
): AgentLog {
  const threshold = LEVELS.indexOf(level);
  const at = (lvl: AgentLogLevel) => (message: string) => {
    if (LEVELS.indexOf(lvl) < threshold) return;
    write(`${new Date(now()).toISOString()} ${lvl.padEnd(5)} ${message}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
