/**
 * The bytes of uploaded packages, by content: `<data>/packages/<sha256>`. An upload is
 * streamed to a temporary file while it is hashed and counted, then renamed to its hash,
 * so a file under its final name is always complete and matches it. The same content
 * uploaded twice (by any org) is stored once; which org owns which file is in the store.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TaskwardenError } from '../core/errors.ts';

export const DEFAULT_PACKAGE_LIMIT = 256 * 2 ** 20;
export const SHA256_HEX = /^[0-9a-f]{64}$/;

export class PackageFiles {
  constructor(
    readonly dir: string,
    /** Largest upload accepted, in bytes. */
    readonly maxBytes: number = DEFAULT_PACKAGE_LIMIT,
  ) {}

  pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256))
      throw new TaskwardenError('invalid_input', 'sha256: must be 64 lower-case hex digits');
    return join(this.dir, sha256);
  }

  /** The size of the stored file, or null when there is none. */
  async size(sha256: string): Promise<number | null> {
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /** Stores what `source` streams; fails with payload_too_large past `maxBytes` (the partial file is removed). */
  async save(source: Readable): Promise<{ sha256: string; size: number }> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temp = join(this.dir, `upload-${randomBytes(8).toString('hex')}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const { maxBytes } = this;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > maxBytes) {
          done(new TaskwardenError('payload_too_large', `a package may be at most ${maxBytes} bytes`));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    // Opened before the copy starts: a copy that fails at once must not leave the file
    // created after our unlink by a stream that was still opening it.
    const out = createWriteStream(temp, { mode: 0o600 });
    await once(out, 'open');
    try {
      await pipeline(source, measure, out);
      const sha256 = hash.digest('hex');
      await rename(temp, join(this.dir, sha256));
      return { sha256, size };
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw err;
    }
  }
}
