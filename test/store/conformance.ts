// The Store conformance suite: every backend runs it unchanged. It uses only the Store port,
// so whatever passes here can back the engine and the API.
import { describe } from 'node:test';
import { agentCases } from './conformance/agents.ts';
import { bulkTaskCases } from './conformance/bulk-tasks.ts';
import { claimCases } from './conformance/claims.ts';
import { commandProcessCases } from './conformance/command-processes.ts';
import { commandCases } from './conformance/commands.ts';
import { fleetCases } from './conformance/fleet.ts';
import { fleetSchedulingCases } from './conformance/fleet-scheduling.ts';
import type { OpenStore } from './conformance/harness.ts';
import { idempotencyCases } from './conformance/idempotency.ts';
import { identityCases } from './conformance/identity.ts';
import { jobstateCases } from './conformance/jobstates.ts';
import { logCases } from './conformance/logs.ts';
import { nodeCases } from './conformance/nodes.ts';
import { notificationCases } from './conformance/notifications.ts';
import { rolloutCases } from './conformance/rollouts.ts';
import { runCases } from './conformance/runs.ts';
import { taskCases } from './conformance/tasks.ts';
import { transactionCases } from './conformance/transactions.ts';
import { windowCases } from './conformance/windows.ts';

/** Registers the suite. `open` must return a fresh, empty store each call; the suite migrates and closes it. */
export function describeStoreConformance(name: string, open: OpenStore): void {
  describe(`${name} store conformance`, () => {
    identityCases(open);
    commandCases(open);
    taskCases(open);
    bulkTaskCases(open);
    runCases(open);
    jobstateCases(open);
    claimCases(open);
    windowCases(open);
    agentCases(open);
    logCases(open);
    transactionCases(open);
    fleetCases(open);
    nodeCases(open);
    idempotencyCases(open);
    commandProcessCases(open);
    notificationCases(open);
    rolloutCases(open);
    fleetSchedulingCases(open);
  });
}
