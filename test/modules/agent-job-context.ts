// An AgentJobContext for driving a module's agent half directly, the way the agent runtime would.
import { FakeClock } from '../../src/core/clock.ts';
import type { AgentJobContext } from '../../src/core/ports/module.ts';
import type { LoggedLine } from './job-context.ts';

export function agentJobContext<P>(
  params: P,
  payload: unknown,
  options: {
    fetchFile?: (sha256: string) => Promise<string>;
    signal?: AbortSignal;
    dataDir?: string;
    packageRoot?: string;
  } = {},
): { ctx: AgentJobContext<P>; logs: LoggedLine[]; progress: number[]; clock: FakeClock } {
  const logs: LoggedLine[] = [];
  const progress: number[] = [];
  const clock = new FakeClock();
  const ctx: AgentJobContext<P> = {
    params,
    payload,
    jobstate: { id: 'js-1', attempt: 1, timeoutSeconds: 3600 },
    signal: options.signal ?? new AbortController().signal,
    clock,
    pausedSince: () => 0,
    log: (line, stream = 'info') => logs.push({ stream, line }),
    progress: (percent) => progress.push(percent),
    fetchFile: options.fetchFile ?? (() => Promise.reject(new Error('fetchFile not expected in this test'))),
    dataDir: options.dataDir ?? '/nonexistent',
    packageRoot: options.packageRoot ?? '/nonexistent',
  };
  return { ctx, logs, progress, clock };
}
