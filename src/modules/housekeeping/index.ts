import { defineModule, type ModuleSummary, type SummaryInput } from '../sdk.ts';
import { type HousekeepingParams, housekeepingParamsSchema, parseHousekeepingParams } from './schema.ts';
import { executeHousekeeping } from './server.ts';

/**
 * `housekeeping`: retention of runs and logs on the server. Never two at once in an org
 * (Taskomatic's parallelizable = false): two pruners would only race for the same rows.
 */
export const housekeepingModule = defineModule<HousekeepingParams>({
  name: 'housekeeping',
  title: 'Housekeeping',
  icon: '🧹',
  description: 'Deletes old finished runs and old log lines in chunks; the per-job ledger is kept.',
  runsOn: 'server',
  parallelizable: false,
  paramsSchema: housekeepingParamsSchema,
  parseParams: parseHousekeepingParams,
  execute: executeHousekeeping,
  summarize: summarizeHousekeeping,
});

/** "12 runs, 3400 log lines pruned", over the jobstates that finished. */
function summarizeHousekeeping(jobstates: readonly SummaryInput[]): ModuleSummary {
  let runs = 0;
  let logs = 0;
  for (const js of jobstates) {
    const result = js.result as { deletedRuns?: unknown; deletedLogs?: unknown } | null;
    if (typeof result?.deletedRuns === 'number') runs += result.deletedRuns;
    if (typeof result?.deletedLogs === 'number') logs += result.deletedLogs;
  }
  return { details: `${runs} runs, ${logs} log lines pruned` };
}
