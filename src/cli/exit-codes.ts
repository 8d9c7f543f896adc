import { ERROR_CATALOG, type ErrorCode, TaskwardenError } from '../core/errors.ts';

/**
 * The one table of the CLI's exit codes. Scripts tell apart what went wrong by the exit
 * code alone: every catalog error code maps through its HTTP status (core/errors.ts), so a
 * new code gets the exit code of its kind without an entry here.
 */
export const EXIT_CODES = [
  { exit: 0, meaning: 'success', statuses: [] },
  {
    exit: 1,
    meaning: 'the work failed; server error, unreachable or busy (try again later)',
    statuses: [429, 500, 503],
  },
  { exit: 2, meaning: 'usage or invalid input', statuses: [400, 413, 415, 416, 422] },
  { exit: 3, meaning: 'not found (or ended)', statuses: [404, 410] },
  { exit: 4, meaning: 'conflict with the state of things (name taken, run already ended, …)', statuses: [409] },
  { exit: 5, meaning: 'not signed in, or not allowed', statuses: [401, 403] },
] as const;

/** Anything unexpected (not a TaskwardenError, an unknown status) is a failure of the work. */
const FAILED = 1;

function exitCodeOfStatus(status: number): number {
  return EXIT_CODES.find((row) => (row.statuses as readonly number[]).includes(status))?.exit ?? FAILED;
}

export function exitCodeOfError(code: ErrorCode): number {
  return exitCodeOfStatus(ERROR_CATALOG[code]);
}

export function exitCodeOf(err: unknown): number {
  return err instanceof TaskwardenError ? exitCodeOfError(err.code) : FAILED;
}

/** The table as `taskwarden --help` ends with it. */
export function exitCodeHelp(): string {
  const lines = EXIT_CODES.map((row) => `  ${row.exit}  ${row.meaning}`);
  return `\nExit codes (error codes map through their HTTP status; see GET /api/docs, ErrorCode):\n${lines.join('\n')}\n`;
}
