/**
 * How a package archive is cut for the FusionInventory agent's download (Deploy/File.pm,
 * Datastore/WorkDir.pm): parts of PART_SIZE bytes, each fetched from
 * `<mirror><c>/<cc>/<sha512>` (c, cc = the first one and two characters of the part's
 * sha512), checked against that sha512, and read back through zlib's gzread, which
 * decompresses gzip data and passes anything else through.
 *
 * A raw slice that happened to start with the gzip magic would be "decompressed" into
 * garbage, so every part is a gzip member. Its deflate data is stored blocks (no
 * compression), built here byte by byte: the same slice always gives the same part, on any
 * node and any zlib version, so part hashes are stable without keeping the parts anywhere.
 */
import { crc32 } from 'node:zlib';

export const PART_SIZE = 1024 * 1024;
/** A stored deflate block holds at most this many bytes (RFC 1951, 3.2.4). */
const STORED_BLOCK_MAX = 0xffff;
/** Magic, deflate, no flags, no mtime, no extra flags, OS unknown (RFC 1952). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);

/** The archive's parts as byte ranges [start, end) of the file. */
export function partRanges(size: number): { start: number; end: number }[] {
  const count = Math.max(1, Math.ceil(size / PART_SIZE));
  return Array.from({ length: count }, (_, i) => ({ start: i * PART_SIZE, end: Math.min(size, (i + 1) * PART_SIZE) }));
}

/** One slice as a gzip member of stored blocks. */
export function gzipStored(data: Buffer): Buffer {
  const blocks: Buffer[] = [GZIP_HEADER];
  let at = 0;
  do {
    const length = Math.min(STORED_BLOCK_MAX, data.length - at);
    const last = at + length >= data.length;
    const head = Buffer.alloc(5);
    head[0] = last ? 1 : 0;
    head.writeUInt16LE(length, 1);
    head.writeUInt16LE(~length & 0xffff, 3);
    blocks.push(head, data.subarray(at, at + length));
    at += length;
  } while (at < data.length);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data) >>> 0, 0);
  trailer.writeUInt32LE(data.length >>> 0, 4);
  blocks.push(trailer);
  return Buffer.concat(blocks);
}

/** Where the agent fetches a part under the mirror URL. */
export function partPath(sha512: string): string {
  return `${sha512.slice(0, 1)}/${sha512.slice(0, 2)}/${sha512}`;
}
