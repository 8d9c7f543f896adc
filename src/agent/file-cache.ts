import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { TaskwardenError, ValidationError } from '../core/errors.ts';

export interface FileSource {
  /** A response whose body is the file from byte `from` on (206), or the whole file (200). */
  download(sha256: string, from: number, signal?: AbortSignal): Promise<Response>;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Package files by content: `<cache>/<sha256>`, downloaded from the server once, resumed
 * where an interrupted download stopped (`<sha256>.part`), and kept only when the bytes
 * hash to the name. A module never sees a file that does not match.
 */
export class FileCache {
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    readonly dir: string,
    private readonly source: FileSource,
  ) {}

  /** The path of the verified file; two jobs asking for the same file share one download. */
  fetch(sha256: string, signal?: AbortSignal): Promise<string> {
    if (!SHA256.test(sha256)) throw new ValidationError('sha256', 'must be 64 lower-case hex digits');
    let download = this.pending.get(sha256);
    if (!download) {
      download = this.download(sha256, signal).finally(() => this.pending.delete(sha256));
      this.pending.set(sha256, download);
    }
    return download;
  }

  private async download(sha256: string, signal?: AbortSignal): Promise<string> {
    const path = join(this.dir, sha256);
    if (await exists(path)) return path;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const part = `${path}.part`;
    const have = (await exists(part)) ? (await stat(part)).size : 0;
    const response = await this.source.download(sha256, have, signal);
    const resumed = response.status === 206;
    const hash = createHash('sha256');
    if (resumed) {
      for await (const chunk of createReadStream(part)) hash.update(chunk as Buffer);
    }
    await pipeline(
      Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      hashing(hash),
      createWriteStream(part, { flags: resumed ? 'a' : 'w', mode: 0o600 }),
      { signal },
    );
    const actual = hash.digest('hex');
    if (actual !== sha256) {
      await unlink(part);
      throw new TaskwardenError('invalid_input', `file ${sha256}: the downloaded bytes hash to ${actual}`);
    }
    await rename(part, path);
    return path;
  }
}

function hashing(hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
