import type { ModuleSummary, SummaryInput } from '../../core/ports/module.ts';

/**
 * The tail most fleet summaries share: ", 2 failed, 5 pending" for the jobstates a module's
 * own counts leave out. `counted` says which errors the module already counted itself
 * (wake-on-LAN's "without MAC"), so they are not counted twice.
 */
export function otherOutcomes(jobstates: readonly SummaryInput[], counted: (js: SummaryInput) => boolean): string {
  let failed = 0;
  let pending = 0;
  for (const js of jobstates) {
    if (js.status === 'error' && !counted(js)) failed++;
    else if (js.status === 'waiting' || js.status === 'prepared' || js.status === 'running') pending++;
  }
  return `${failed > 0 ? `, ${failed} failed` : ''}${pending > 0 ? `, ${pending} pending` : ''}`;
}

/** A jobstate's result as an object (empty when it has none), for reading one counter. */
export function resultOf(js: SummaryInput): Record<string, unknown> {
  return js.result !== null && typeof js.result === 'object' ? (js.result as Record<string, unknown>) : {};
}

/** A non-negative integer field of a result, 0 when absent or malformed. */
export function countIn(result: Record<string, unknown>, key: string): number {
  const value = result[key];
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0;
}

/**
 * The plain monitoring details most modules want: "3 ok, 1 failed", plus "2 pending" and
 * "1 not run" (cancelled or skipped) when there are any.
 */
export function summarizeOutcomes(jobstates: readonly SummaryInput[]): ModuleSummary {
  let ok = 0;
  let failed = 0;
  let pending = 0;
  let notRun = 0;
  for (const js of jobstates) {
    if (js.status === 'finished') ok++;
    else if (js.status === 'error') failed++;
    else if (js.status === 'cancelled' || js.status === 'skipped') notRun++;
    else pending++;
  }
  const parts = [`${ok} ok`, `${failed} failed`];
  if (pending > 0) parts.push(`${pending} pending`);
  if (notRun > 0) parts.push(`${notRun} not run`);
  return { details: parts.join(', ') };
}
