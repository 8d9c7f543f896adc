import type { Command } from 'commander';
import type { TaskwardenClient } from '../../client/api.ts';
import type { CalendarView, CreateCalendarBody } from '../../protocol/calendars.ts';
import { connect, flagsOf, withConnection } from '../connection.ts';
import { printJson, shown } from '../output.ts';
import { noneNamed } from '../refs.ts';
import { formatTable } from '../table.ts';

/** `calendar apply|list|delete`: shared calendars (blackouts and yearly days) tasks list by name. */
export function registerCalendarCommands(program: Command): void {
  const calendar = program.command('calendar').description('Shared calendars: blackouts and yearly days tasks list');

  withConnection(calendar.command('apply'))
    .description('Create or update calendars from a YAML/JSON file (one calendar or a list), by name')
    .requiredOption('-f, --file <file>', 'the calendar file')
    .option('--json', 'print JSON')
    .action(async (_opts, cmd: Command) => {
      const flags = flagsOf<{ file: string; json?: boolean }>(cmd);
      const client = connect(flags);
      const { readDefinitions } = await import('../task-file.ts');
      const applied: CalendarView[] = [];
      for (const def of readDefinitions<CreateCalendarBody>(flags.file, 'calendar')) {
        const done = await applyOne(client, def);
        applied.push(done.calendar);
        if (!flags.json) process.stdout.write(shown`${done.action} calendar ${done.calendar.name}\n`);
      }
      if (flags.json) printJson({ items: applied });
    });

  withConnection(calendar.command('list'))
    .description("List the org's calendars and the global ones")
    .option('--json', 'print JSON')
    .action(async (_opts, cmd: Command) => {
      const flags = flagsOf<{ json?: boolean }>(cmd);
      const calendars = await connect(flags).listCalendars();
      if (flags.json) return printJson({ items: calendars });
      const rows = calendars.map((c) => ({
        name: c.name,
        scope: c.orgId ? 'org' : 'global',
        blackouts: c.blackouts.map((b) => `${b.from} → ${b.to}`).join(', '),
        yearly: c.yearly.join(', '),
      }));
      process.stdout.write(`${formatTable(rows) || 'no calendars'}\n`);
    });

  withConnection(calendar.command('delete <name>'))
    .description('Delete a calendar (refused while a task lists it)')
    .option('--global', 'the global calendar of that name (global admin only)')
    .action(async (name: string, _opts, cmd: Command) => {
      const flags = flagsOf<{ global?: boolean }>(cmd);
      const client = connect(flags);
      const found = await findManaged(client, name, flags.global === true);
      if (!found) throw noneNamed('calendar', name);
      await client.deleteCalendar(found.id);
      process.stdout.write(shown`deleted calendar ${found.name}\n`);
    });
}

/** Updates the calendar of that name the caller manages (in the file's scope), or creates it. */
async function applyOne(
  client: TaskwardenClient,
  def: CreateCalendarBody,
): Promise<{ action: 'created' | 'updated'; calendar: CalendarView }> {
  const { name, global, ...change } = def;
  const existing = typeof name === 'string' ? await findManaged(client, name, global === true) : null;
  if (!existing) return { action: 'created', calendar: await client.createCalendar(def) };
  const rules = { blackouts: [], yearly: [], ...change };
  return { action: 'updated', calendar: await client.updateCalendar(existing.id, rules) };
}

/** The calendar of that name in the org's scope (or the global one when `global`). */
async function findManaged(client: TaskwardenClient, name: string, global: boolean): Promise<CalendarView | null> {
  const calendars = await client.listCalendars();
  return calendars.find((c) => c.name === name && (c.orgId === null) === global) ?? null;
}
