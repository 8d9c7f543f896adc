import { escapeUnprintable } from '../core/printable.ts';

/** Errors are one line on stderr. */
export function printError(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`taskwarden: ${escapeUnprintable(message.replace(/\s*\n\s*/g, ' '))}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${escapeUnprintable(JSON.stringify(value, null, 2), 'json')}\n`);
}

/**
 * Human output with values from elsewhere: every interpolated value is shown, never obeyed
 * by the terminal. Names, messages and log lines come from the server and, through it, from
 * agents, programs and data stored before names had to be printable (core/printable.ts).
 */
export function shown(strings: TemplateStringsArray, ...values: unknown[]): string {
  return strings.reduce((text, part, i) => text + escapeUnprintable(String(values[i - 1])) + part);
}
