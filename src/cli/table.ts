// Plain-text tables and small number helpers, for CLI listings and bench reports.
import { escapeUnprintable } from '../core/printable.ts';

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/**
 * Rows of the same keys as an aligned table; the keys are the header. Cells show control
 * characters as escapes (`\x1b`): a value from the server never moves the cursor or
 * rewrites the terminal, and one cell stays one line.
 */
export function formatTable(rows: Record<string, string | number | null | undefined>[]): string {
  const first = rows[0];
  if (!first) return '';
  const headers = Object.keys(first);
  const cells = rows.map((r) => headers.map((h) => escapeUnprintable(String(r[h] ?? ''))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function printTable(title: string, rows: Record<string, string | number>[]): void {
  console.log(`\n${title}\n${formatTable(rows)}`);
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
