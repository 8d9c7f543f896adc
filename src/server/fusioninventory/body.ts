/**
 * The agent's message bodies (HTTP/Client/OCS.pm): zlib (RFC 1950, Compress::Zlib, its
 * default), gzip (RFC 1952, when only the gzip program is there) or plain XML
 * (--no-compression), said by the Content-Type and, as the agent itself reads replies,
 * recognised by their first bytes. The reply goes back the way the request came.
 */
import { promisify } from 'node:util';
import { deflateSync, gunzip, gzipSync, inflate } from 'node:zlib';
import { TaskwardenError } from '../../core/errors.ts';

export type Compression = 'zlib' | 'gzip' | 'none';

export const MESSAGE_CONTENT_TYPES = [
  'application/x-compress-zlib',
  'application/x-compress-gzip',
  'application/x-compress',
  'application/xml',
  'text/xml',
] as const;

const REPLY_CONTENT_TYPES: Record<Compression, string> = {
  zlib: 'application/x-compress-zlib',
  gzip: 'application/x-compress-gzip',
  none: 'application/xml',
};

export interface DecodedMessage {
  text: string;
  compression: Compression;
}

const inflateAsync = promisify(inflate);
const gunzipAsync = promisify(gunzip);

/**
 * `maxBytes` bounds the inflated text: a small compressed body must not become gigabytes.
 * Inflating runs on zlib's thread pool, not the event loop (8 MiB takes tens of ms).
 */
export async function decodeMessage(body: Buffer, maxBytes: number): Promise<DecodedMessage> {
  const compression = compressionOf(body);
  try {
    const options = { maxOutputLength: maxBytes };
    const raw =
      compression === 'zlib'
        ? await inflateAsync(body, options)
        : compression === 'gzip'
          ? await gunzipAsync(body, options)
          : body;
    if (raw.length > maxBytes) throw new RangeError('too large');
    return { text: raw.toString('utf8'), compression };
  } catch (err) {
    if (err instanceof RangeError || (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new TaskwardenError('payload_too_large', `the message is larger than ${maxBytes} bytes once inflated`);
    }
    throw new TaskwardenError('invalid_input', `body: the ${compression} data is corrupt`);
  }
}

export function encodeReply(text: string, compression: Compression): { body: Buffer; contentType: string } {
  const raw = Buffer.from(text, 'utf8');
  const body = compression === 'zlib' ? deflateSync(raw) : compression === 'gzip' ? gzipSync(raw) : raw;
  return { body, contentType: REPLY_CONTENT_TYPES[compression] };
}

/** By the first bytes, as the agent's _uncompress does: 78 xx is zlib, 1f 8b 08 gzip. */
function compressionOf(body: Buffer): Compression {
  if (body[0] === 0x78 && body.length > 1 && body.readUInt16BE(0) % 31 === 0) return 'zlib';
  if (body[0] === 0x1f && body[1] === 0x8b && body[2] === 0x08) return 'gzip';
  return 'none';
}
