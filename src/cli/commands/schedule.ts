import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.ts';
import type { Preview } from '../../core/schedule/index.ts';
import { MAX_PREVIEW_COUNT } from '../../core/schedule/limits.ts';

interface PreviewOptions {
  schedule: string;
  timeslots?: string;
  blackouts?: string;
  activeFrom?: string;
  activeTill?: string;
  from?: string;
  count: string;
  zones?: string;
  json?: boolean;
}

function parseJsonOption(text: string, flag: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ValidationError(flag, `is not valid JSON (${(err as Error).message})`);
  }
}

function parseCount(text: string): number {
  if (!/^\d+$/.test(text)) throw new ValidationError('--count', `must be an integer from 1 to ${MAX_PREVIEW_COUNT}`);
  return Number(text);
}

type FormatLocal = (t: number, tz: string) => string;

/** Firings as a table: local time on `tz`'s clock (with its offset, so DST shows) and UTC. */
function firingTable(firings: number[], tz: string, formatLocal: FormatLocal): string[] {
  const lines = firings.map((t, i) => [String(i + 1).padStart(4), formatLocal(t, tz), new Date(t).toISOString()]);
  const localWidth = Math.max(tz.length, ...lines.map((l) => (l[1] as string).length));
  const out = [`${'#'.padStart(4)}  ${tz.padEnd(localWidth)}  UTC`];
  for (const [n, local, utc] of lines) out.push(`${n}  ${(local as string).padEnd(localWidth)}  ${utc}`);
  return out;
}

/** The schedule's firings, then (with --zones) those of a target in each zone. */
function printTable({ firings, tz, description, neverFires, zones }: Preview, formatLocal: FormatLocal): void {
  const out = firingTable(firings, tz, formatLocal);
  if (neverFires) out.push('(never fires: no date matches this schedule)');
  else if (firings.length === 0) out.push('(no firings)');
  for (const zone of zones ?? []) out.push('', `In ${zone.tz}:`, ...firingTable(zone.firings, zone.tz, formatLocal));
  process.stdout.write(`${out.join('\n')}\n\n${description}\n`);
}

async function preview(opts: PreviewOptions): Promise<void> {
  // Loaded on use: the schedule engine (time zones, cron, RFC 5545 rules) is for this command only.
  const { formatLocal, parseAbsoluteInstant, previewSchedule } = await import('../../core/schedule/index.ts');
  const { checkPreviewBody } = await import('../../protocol/task-def-check.ts');
  const from = opts.from === undefined ? Date.now() : parseAbsoluteInstant(opts.from, '--from');
  // The body POST /api/v1/schedules/preview takes, checked by its schema: offline, the same refusals in the same words.
  const body = checkPreviewBody({
    schedule: parseJsonOption(opts.schedule, '--schedule'),
    ...(opts.timeslots === undefined ? {} : { timeslots: parseJsonOption(opts.timeslots, '--timeslots') }),
    ...(opts.blackouts === undefined ? {} : { blackouts: parseJsonOption(opts.blackouts, '--blackouts') }),
    activeFrom: opts.activeFrom ?? null,
    activeTill: opts.activeTill ?? null,
    ...(opts.zones === undefined ? {} : { zones: opts.zones.split(',').map((z) => z.trim()) }),
  });
  // Offline there are no shared calendars to apply (the body names none: the CLI has no flag for them).
  const preview = previewSchedule({ ...body, calendars: [] }, from, parseCount(opts.count));
  if (opts.json) {
    // One line, the Contract's exact shape: UTC ISO strings ending in Z.
    const { firings, description, neverFires, zones } = preview;
    const isoList = (list: number[]) => list.map((t) => new Date(t).toISOString());
    const shown = {
      firings: isoList(firings),
      description,
      neverFires,
      ...(zones ? { zones: zones.map((z) => ({ tz: z.tz, firings: isoList(z.firings) })) } : {}),
    };
    process.stdout.write(`${JSON.stringify(shown)}\n`);
  } else {
    printTable(preview, formatLocal);
  }
}

/** `taskwarden schedule preview …`: works offline, no server needed. */
export function registerScheduleCommands(program: Command): void {
  const schedule = program.command('schedule').description('Check schedules before saving them (offline)');
  schedule
    .command('preview')
    .description('Show the next firings of a schedule, timeslots, blackouts and active range applied')
    .requiredOption('--schedule <json>', 'schedule, e.g. \'{"kind":"cron","expr":"0 2 * * 1-5","tz":"Europe/Paris"}\'')
    .option('--timeslots <json>', 'weekly allowed windows, e.g. \'[{"day":0,"from":"19:00","to":"24:00"}]\'')
    .option('--blackouts <json>', 'forbidden ranges, e.g. \'[{"from":"2026-12-24T00:00:00+01:00","to":"…"}]\'')
    .option('--active-from <iso>', 'the series starts here')
    .option('--active-till <iso>', 'no firing at or after this')
    .option('--from <iso>', 'list firings at or after this instant (ISO-8601 with offset; default: now)')
    .option('--count <n>', `how many firings (1..${MAX_PREVIEW_COUNT})`, '10')
    .option('--zones <list>', 'also list the firings in each of these IANA zones, e.g. Europe/Paris,America/New_York')
    .option('--json', 'print {"firings":[…],"description":"…","neverFires":false} (and "zones":[{tz,firings}])')
    .action(async (opts: PreviewOptions) => preview(opts));
}
