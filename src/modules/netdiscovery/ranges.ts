/**
 * IPv4 address ranges as a discovery's params write them: one address ("10.0.0.7"), a span
 * ("10.0.0.1-10.0.0.40") or a CIDR block ("10.0.0.0/24", every address of it included).
 * Addresses are handled as unsigned 32-bit integers.
 */
import { fieldPath, ValidationError } from '../sdk/index.ts';

export interface AddressRange {
  first: number;
  last: number;
}

/** The most addresses one job probes (a /16). */
export const MAX_ADDRESSES = 65_536;

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

export function parseIpv4(text: string): number | null {
  const match = IPV4.exec(text);
  if (!match) return null;
  return match.slice(1, 5).reduce((n, octet) => n * 256 + Number(octet), 0);
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseRange(text: string, field: string): AddressRange {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  if (slash !== -1) {
    const base = parseIpv4(trimmed.slice(0, slash));
    const bits = trimmed.slice(slash + 1);
    if (base === null || !/^\d{1,2}$/.test(bits) || Number(bits) > 32) {
      throw new ValidationError(field, `"${text}" is not an IPv4 CIDR block like 10.0.0.0/24`);
    }
    const size = 2 ** (32 - Number(bits));
    const first = base - (base % size);
    return { first, last: first + size - 1 };
  }
  const ends = trimmed.split('-').map((end) => end.trim());
  const first = parseIpv4(ends[0] as string);
  const last = ends.length === 2 ? parseIpv4(ends[1] as string) : first;
  if (first === null || last === null || ends.length > 2) {
    throw new ValidationError(field, `"${text}" is not an IPv4 address, range (a.b.c.d-e.f.g.h) or CIDR block`);
  }
  if (last < first) throw new ValidationError(field, `"${text}" ends before it starts`);
  return { first, last };
}

/** Parses every range and checks the total against MAX_ADDRESSES, naming the range that passes it. */
export function parseRanges(texts: readonly string[], field: string): AddressRange[] {
  let total = 0;
  return texts.map((text, i) => {
    const range = parseRange(text, fieldPath(field, i));
    total += range.last - range.first + 1;
    if (total > MAX_ADDRESSES) {
      throw new ValidationError(
        fieldPath(field, i),
        `the ranges cover more than ${MAX_ADDRESSES} addresses (one job's limit)`,
      );
    }
    return range;
  });
}

export const countAddresses = (ranges: readonly AddressRange[]): number =>
  ranges.reduce((sum, range) => sum + range.last - range.first + 1, 0);

/** The address at position `index` of the ranges laid end to end (how a chunked scan resumes). */
export function* addressesFrom(ranges: readonly AddressRange[], index: number): Generator<string> {
  let skip = index;
  for (const range of ranges) {
    const size = range.last - range.first + 1;
    if (skip >= size) {
      skip -= size;
      continue;
    }
    for (let n = range.first + skip; n <= range.last; n++) yield formatIpv4(n);
    skip = 0;
  }
}

export function inRanges(ip: string, ranges: readonly AddressRange[]): boolean {
  const n = parseIpv4(ip);
  return n !== null && ranges.some((range) => n >= range.first && n <= range.last);
}
