import { defineModule, type ModuleSummary, type SummaryInput } from '../sdk/index.ts';
import { type HousekeepingParams, housekeepingParamsSchema, parseHousekeepingParams } from './schema.ts';
import { executeHousekeeping } from './server.ts';

/**
 * `housekeeping`: retention of runs, logs and unused package files on the server: an org's
 * in an org's task, every org's in a global task (the services say which). Never two
 * at once in an org (Taskomatic's parallelizable = false): two pruners would only race for
 * the same rows.
 */
export const housekeepingModule = defineModule<HousekeepingParams>({
  name: 'housekeeping',
  title: 'Housekeeping',
  icon: '🧹',
  description:
    'Deletes old finished runs, old log lines and uploaded package files no package uses, in chunks; the per-job ledger is kept.',
  runsOn: 'server',
  parallelizable: false,
  paramsSchema: housekeepingParamsSchema,
  parseParams: parseHousekeepingParams,
  execute: executeHousekeeping,
  summarize: summarizeHousekeeping,
});

/** "12 runs, 3400 log lines, 2 package files pruned", over the jobstates that finished. */
function summarizeHousekeeping(jobstates: readonly SummaryInput[]): ModuleSummary {
  let runs = 0;
  let logs = 0;
  let files = 0;
  for (const js of jobstates) {
    const result = js.result as { deletedRuns?: unknown; deletedLogs?: unknown; deletedFiles?: unknown } | null;
    if (typeof result?.deletedRuns === 'number') runs += result.deletedRuns;
    if (typeof result?.deletedLogs === 'number') logs += result.deletedLogs;
    if (typeof result?.deletedFiles === 'number') files += result.deletedFiles;
  }
  return { details: `${runs} runs, ${logs} log lines, ${files} package files pruned` };
}

export default housekeepingModule;
