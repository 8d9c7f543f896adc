/**
 * Reads the table of contents of a tar archive (POSIX ustar, pax extended headers and GNU
 * long names, as GNU tar, bsdtar and the `tar` npm package write them) without loading the
 * data: each entry says where its bytes are in the file. Compressed archives are not read.
 */
import type { FileHandle } from 'node:fs/promises';

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink';

export interface TarEntry {
  /** The name as stored in the archive. */
  name: string;
  type: TarEntryType;
  mode: number;
  size: number;
  /** Where the entry's data starts in the archive. */
  offset: number;
  /** Symlink target, or hard link target (a name in the archive). */
  linkName: string;
}

export class TarFormatError extends Error {
  override name = 'TarFormatError';
}

const BLOCK = 512;
/** More entries than any package needs; a bound on the work a hostile archive can cause. */
export const MAX_ENTRIES = 100_000;
/** pax headers and GNU long names are small; a bigger one is not a real archive. */
const MAX_META_SIZE = 1024 * 1024;

const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '5': 'directory',
  '2': 'symlink',
  '1': 'hardlink',
};

export async function readTarEntries(file: FileHandle): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const fileSize = (await file.stat()).size;
  let offset = 0;
  /** Overrides from a pax 'x' header or GNU 'L'/'K' entries, for the next real entry. */
  let pending: { path?: string; linkpath?: string; size?: number } = {};
  for (;;) {
    const header = await readAt(file, offset, BLOCK);
    if (header.length < BLOCK) throw new TarFormatError('the archive ends in the middle of a header (truncated?)');
    if (header.every((byte) => byte === 0)) return entries;
    checkChecksum(header, offset);
    const flag = String.fromCharCode(header[156] as number);
    const meta = flag === 'x' || flag === 'L' || flag === 'K' || flag === 'g';
    const headerSize = readNumber(header, 124, 12, offset);
    const size = meta ? headerSize : (pending.size ?? headerSize);
    const dataOffset = offset + BLOCK;
    if (dataOffset + size > fileSize) throw new TarFormatError(`the data of the entry at byte ${offset} is cut short`);
    offset = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
    if (meta) {
      if (size > MAX_META_SIZE) throw new TarFormatError(`a ${size}-byte extended header is not credible`);
      const data = await readAt(file, dataOffset, size);
      if (flag === 'x') pending = { ...pending, ...parsePax(data) };
      else if (flag === 'L') pending.path = cString(data, 0, data.length);
      else if (flag === 'K') pending.linkpath = cString(data, 0, data.length);
      // 'g' (pax global header) sets defaults no archive we read relies on.
      continue;
    }
    const type = TYPES[flag];
    const name = pending.path ?? ustarName(header);
    if (type === undefined)
      throw new TarFormatError(`"${name}": entry type "${flag}" (device, fifo, sparse…) is not supported`);
    entries.push({
      name,
      type,
      mode: readNumber(header, 100, 8, offset) & 0o7777,
      size: type === 'file' ? size : 0,
      offset: dataOffset,
      linkName: pending.linkpath ?? cString(header, 157, 100),
    });
    if (entries.length > MAX_ENTRIES) throw new TarFormatError(`more than ${MAX_ENTRIES} entries`);
    pending = {};
  }
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

function cString(buffer: Buffer, start: number, length: number): string {
  const field = buffer.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

/** The POSIX prefix field exists only with the "ustar\0" magic (GNU's "ustar  " keeps times there). */
function ustarName(header: Buffer): string {
  const name = cString(header, 0, 100);
  const posix = header.subarray(257, 263).toString('latin1') === 'ustar\0';
  const prefix = posix ? cString(header, 345, 155) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/** Octal digits (NUL- or space-terminated), or GNU's base-256 for values that do not fit. */
function readNumber(header: Buffer, start: number, length: number, at: number): number {
  const field = header.subarray(start, start + length);
  if ((field[0] as number) & 0x80) {
    let value = (field[0] as number) & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    if (!Number.isSafeInteger(value)) throw new TarFormatError(`a number in the header at byte ${at} is too large`);
    return value;
  }
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`the header at byte ${at} has a malformed number "${text}"`);
  return Number.parseInt(text, 8);
}

function checkChecksum(header: Buffer, at: number): void {
  const stored = Number.parseInt(
    header
      .subarray(148, 156)
      .toString('latin1')
      .replace(/[\0 ]+$/, '')
      .trim(),
    8,
  );
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] as number);
  if (sum !== stored) throw new TarFormatError(`the header at byte ${at} has a bad checksum (not a tar archive?)`);
}

/** pax records: "<length> <key>=<value>\n"; only the keys that change where or what an entry is matter. */
function parsePax(data: Buffer): { path?: string; linkpath?: string; size?: number } {
  const out: { path?: string; linkpath?: string; size?: number } = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = space === -1 ? Number.NaN : Number(data.subarray(at, space).toString('latin1'));
    if (!Number.isInteger(length) || length <= 0 || at + length > data.length) {
      throw new TarFormatError('a pax extended header is malformed');
    }
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') out.path = value;
    else if (key === 'linkpath') out.linkpath = value;
    else if (key === 'size') {
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
        throw new TarFormatError(`pax size "${value}" is malformed`);
      out.size = Number(value);
    }
    at += length;
  }
  return out;
}
