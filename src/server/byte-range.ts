/**
 * The one `Range: bytes=…` form downloads need (RFC 9110 §14): a single range, `a-b`,
 * `a-` or the suffix `-n`. A header we do not understand, or one asking for several
 * ranges, is ignored and the whole file is sent (which the RFC allows); a range starting
 * past the end cannot be satisfied (416).
 */
export type ByteRange = { start: number; end: number } | 'whole' | 'unsatisfiable';

export function parseByteRange(header: string | undefined, size: number): ByteRange {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return 'whole';
  const [, from, to] = match as unknown as [string, string, string];
  if (from === '') {
    const suffix = Number(to);
    return suffix === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (to !== '' && Number(to) < start) return 'whole';
  return start >= size ? 'unsatisfiable' : { start, end };
}
