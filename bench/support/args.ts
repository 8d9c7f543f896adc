// Command-line options of the benches (`--name value` and `--flag`), and their one output
// shape: a table for people, or with --json one JSON line per bench for machines.
import { printTable } from '../../src/cli/table.ts';

/** Value of `--name` (a number), or `fallback` when absent; throws on a value that is not one. */
export function numberOption(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}: expected a number, got ${args[at + 1]}`);
  return value;
}

/** Value of `--name` among `choices` (the first is the default). */
export function choiceOption<T extends string>(args: string[], name: string, choices: readonly T[]): T {
  const at = args.indexOf(name);
  if (at < 0) return choices[0] as T;
  const value = args[at + 1] as T;
  if (!choices.includes(value)) throw new Error(`${name}: expected one of ${choices.join(', ')}, got ${value}`);
  return value;
}

/** The arguments that are neither options nor their values (`valued`: options that take one). */
export function positional(args: string[], valued: readonly string[]): string[] {
  return args.filter((arg, i) => !arg.startsWith('--') && !valued.includes(args[i - 1] as string));
}

export interface Table {
  title: string;
  rows: Record<string, string>[];
}

/** Prints the tables (those with rows), or with `--json` the one line `{bench, ok: true, ...figures}`. */
export function report(
  args: string[],
  out: { bench: string; tables: Table[]; figures: Record<string, unknown> },
): void {
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ bench: out.bench, ok: true, ...out.figures })}\n`);
    return;
  }
  for (const table of out.tables) if (table.rows.length > 0) printTable(table.title, table.rows);
}
