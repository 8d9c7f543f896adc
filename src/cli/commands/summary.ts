import type { Command } from 'commander';
import { whyInWords } from '../../core/reason-words.ts';
import type { SummaryLine } from '../../protocol/summary.ts';
import { connect, flagsOf, withConnection } from '../connection.ts';
import { orgNames } from '../org-names.ts';
import { printJson, shown } from '../output.ts';

/** `summary`: the monitoring lines of seed 001, one per task. */
export function registerSummaryCommand(program: Command): void {
  withConnection(program.command('summary'))
    .description('One monitoring line per task: details, completion, status')
    .option('--json', 'print JSON')
    .action(async (_opts, cmd: Command) => {
      const flags = flagsOf<{ json?: boolean }>(cmd);
      const client = connect(flags);
      const { items } = await client.summary();
      if (flags.json) return printJson({ items });
      if (items.length === 0) process.stdout.write('no tasks\n');
      // Lines name their task only: its org comes from the task list.
      const orgOfTask = new Map((items.length ? await client.listTasks() : []).map((t) => [t.id, t.orgId]));
      const org = await orgNames(client, [...orgOfTask.values()]);
      for (const line of items) {
        const icons = line.modules.map((m) => m.icon).join('');
        process.stdout.write(
          shown`[${org(orgOfTask.get(line.taskId) ?? null)}] ${icons} ${line.task} — ${line.details || '-'} — completion ${completionWords(line)} — ${line.status}\n`,
        );
        for (const note of notesOf(line, Date.now())) process.stdout.write(shown`    ${note}\n`);
        for (const m of line.modules) for (const extra of m.lines) process.stdout.write(shown`    + ${extra}\n`);
      }
    });
}

/** Local wall time, "10:05" (the terminal's zone). */
const hhmm = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

/** Only work that ran counts: a cancelled or skipped run says so rather than a percent. */
function completionWords(line: SummaryLine): string {
  const percent = line.completion === null ? null : `${line.completion} %`;
  const ended = line.lastRun?.status;
  if (ended === 'cancelled' || ended === 'skipped')
    return percent && line.completion ? `${ended} at ${percent}` : ended;
  return percent ?? 'N/A';
}

/** "skipped 10:05: previous run still running", "waiting: delay until 10:05 (2 jobs)". */
function notesOf(line: SummaryLine, now: number): string[] {
  const notes: string[] = [];
  const { skipped, waiting } = line;
  if (skipped) notes.push(`skipped ${hhmm(skipped.fireAt)}: ${skipped.reasonText ?? 'not run'}`);
  if (waiting) {
    notes.push(
      `${waiting.status}: ${whyInWords(waiting, { now, time: hhmm })}${waiting.count > 1 ? ` (${waiting.count} jobs)` : ''}`,
    );
  }
  return notes;
}
