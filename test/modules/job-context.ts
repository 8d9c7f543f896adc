// A ServerJobContext for driving a module's execute directly, the way the engine would.
import { FakeClock } from '../../src/core/clock.ts';
import type { LogStream } from '../../src/core/model.ts';
import type { ModuleServices, ServerJobContext } from '../../src/core/ports/module.ts';

export interface LoggedLine {
  stream: LogStream;
  line: string;
}

const unusedServices: ModuleServices = {
  commands: {
    resolve: () => Promise.reject(new Error('commands.resolve not expected in this test')),
    resolveForServer: () => Promise.reject(new Error('commands.resolveForServer not expected in this test')),
  },
  retention: {
    pruneRuns: () => Promise.reject(new Error('retention.pruneRuns not expected in this test')),
    pruneLogs: () => Promise.reject(new Error('retention.pruneLogs not expected in this test')),
  },
  fleet: {
    agent: () => Promise.reject(new Error('fleet.agent not expected in this test')),
    agents: () => Promise.reject(new Error('fleet.agents not expected in this test')),
    saveInventory: () => Promise.reject(new Error('fleet.saveInventory not expected in this test')),
    recordDevices: () => Promise.reject(new Error('fleet.recordDevices not expected in this test')),
  },
  ledger: {
    ofTarget: () => Promise.reject(new Error('ledger.ofTarget not expected in this test')),
  },
  packages: {
    find: () => Promise.reject(new Error('packages.find not expected in this test')),
    extractPrefixes: () => Promise.reject(new Error('packages.extractPrefixes not expected in this test')),
    pruneUnreferencedFiles: () =>
      Promise.reject(new Error('packages.pruneUnreferencedFiles not expected in this test')),
    deleteOrphanFiles: () => Promise.reject(new Error('packages.deleteOrphanFiles not expected in this test')),
  },
};

export function jobContext<P>(
  params: P,
  options: {
    clock?: FakeClock;
    attempt?: number;
    checkpoint?: unknown;
    deadline?: number;
    signal?: AbortSignal;
    services?: Partial<ModuleServices>;
    agentId?: string | null;
  } = {},
): { ctx: ServerJobContext<P>; logs: LoggedLine[]; clock: FakeClock } {
  const clock = options.clock ?? new FakeClock();
  const logs: LoggedLine[] = [];
  const ctx: ServerJobContext<P> = {
    params,
    jobstate: {
      id: 'js-1',
      runId: 'run-1',
      taskId: 'task-1',
      orgId: 'org-1',
      job: 'job',
      attempt: options.attempt ?? 1,
      timeoutSeconds: 7200,
      agentId: options.agentId ?? null,
    },
    checkpoint: options.checkpoint,
    deadline: options.deadline ?? clock.monotonic() + 60_000,
    signal: options.signal ?? new AbortController().signal,
    clock,
    log: (line, stream = 'info') => logs.push({ stream, line }),
    services: { ...unusedServices, ...options.services },
  };
  return { ctx, logs, clock };
}

/** Polls (in real time) until `check` holds, for tests that wait on a real process. */
export async function waitUntil(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
