/**
 * Server half of `netdiscovery`: on the server it scans in chunks (a /16 takes a while),
 * recording each batch's devices as it goes and resuming from a checkpoint; for agents it
 * checks and records what they report.
 */
import {
  type AcceptContext,
  type AgentOutcome,
  compileSchemaOnFirstUse,
  countIn,
  type ExecuteOutcome,
  type ModuleSummary,
  otherOutcomes,
  resultOf,
  type ServerJobContext,
  type SummaryInput,
  ValidationError,
} from '../sdk/index.ts';
import { describeSighting, scanInBatches } from './batches.ts';
import { countAddresses, inRanges, parseRanges } from './ranges.ts';
import { type DiscoveryParams, type DiscoveryReport, type DiscoveryResult, discoveryReportSchema } from './schema.ts';

/** Where a chunked scan stands: the next address to probe and the counts so far. */
interface Progress {
  next: number;
  found: number;
  created: number;
  updated: number;
}

export async function executeDiscovery(ctx: ServerJobContext<DiscoveryParams>): Promise<ExecuteOutcome> {
  const ranges = parseRanges(ctx.params.ranges, 'params.ranges');
  const total = countAddresses(ranges);
  let progress = (ctx.checkpoint as Progress | undefined) ?? { next: 0, found: 0, created: 0, updated: 0 };
  if (progress.next === 0) ctx.log(`probing ${total} addresses on ports ${ctx.params.ports.join(', ')}`);
  // The longest batch so far (probes and recording): the next one is not started unless it fits before the deadline.
  let batchMs = 0;
  let mark = ctx.clock.monotonic();
  await scanInBatches(ranges, progress.next, ctx.params, ctx, async ({ sightings, next }) => {
    const recorded =
      sightings.length > 0
        ? await ctx.services.fleet.recordDevices(sightings, ctx.jobstate.id)
        : { created: 0, updated: 0 };
    for (const sighting of sightings) ctx.log(describeSighting(sighting));
    progress = {
      next,
      found: progress.found + sightings.length,
      created: progress.created + recorded.created,
      updated: progress.updated + recorded.updated,
    };
    const now = ctx.clock.monotonic();
    batchMs = Math.max(batchMs, now - mark);
    mark = now;
    return now + batchMs < ctx.deadline;
  });
  if (progress.next < total) return { done: false, checkpoint: progress };
  const { found, created, updated } = progress;
  const result: DiscoveryResult = { addresses: total, found, created, updated };
  return { done: true, ok: true, result };
}

/** Records an agent's report, refusing devices outside the job's ranges (an agent reports only what it was asked). */
export async function acceptDiscovery(ctx: AcceptContext<DiscoveryParams>): Promise<AgentOutcome> {
  if (!ctx.outcome.ok) return ctx.outcome;
  let report: DiscoveryReport;
  try {
    report = checkReport(ctx.outcome.result, 'result') as DiscoveryReport;
    const ranges = parseRanges(ctx.params.ranges, 'params.ranges');
    const stray = report.devices.findIndex((device) => !inRanges(device.ip, ranges));
    if (stray !== -1) throw new ValidationError(`result.devices[${stray}].ip`, 'is not in the ranges of the job');
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return { ok: false, reason: 'module_failed', result: { error: `the agent's report is invalid: ${err.message}` } };
  }
  const { created, updated } = await ctx.services.fleet.recordDevices(report.devices, ctx.jobstate.id);
  const result: DiscoveryResult = { addresses: report.addresses, found: report.devices.length, created, updated };
  return { ok: true, result };
}

const checkReport = compileSchemaOnFirstUse(discoveryReportSchema, { useDefaults: false });

/** "50 new, 100 updated" (seed 001's discoveries line), with the addresses probed underneath. */
export function summarizeDiscovery(jobstates: readonly SummaryInput[]): ModuleSummary {
  let created = 0;
  let updated = 0;
  let addresses = 0;
  for (const js of jobstates) {
    const result = resultOf(js);
    created += countIn(result, 'created');
    updated += countIn(result, 'updated');
    addresses += countIn(result, 'addresses');
  }
  return {
    details: `${created} new, ${updated} updated${otherOutcomes(jobstates, () => false)}`,
    lines: [`addresses probed : ${addresses}`],
  };
}
