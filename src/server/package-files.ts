/**
 * The bytes of uploaded packages, by content: `<data>/packages/<sha256>`. An upload is
 * streamed to a temporary file while it is hashed and counted; only once the org may keep
 * it (its quota) is it renamed to its hash, so a file under its final name is always
 * complete and matches it, and a refused upload leaves nothing. The same content uploaded
 * twice (by any org) is stored once; which org owns which file is in the store.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TaskwardenError } from '../core/errors.ts';

export const DEFAULT_PACKAGE_LIMIT = 256 * 2 ** 20;
/** What an org's package files may take unless the global admin set its `packageQuota`. */
export const DEFAULT_PACKAGE_QUOTA = 10 * 2 ** 30;
export const SHA256_HEX = /^[0-9a-f]{64}$/;
const PARTIAL = /^upload-[0-9a-f]{16}\.part$/;

/** An upload hashed and counted, not stored yet: `keep` gives it its final name, `discard` drops it. */
export interface ReceivedUpload {
  sha256: string;
  size: number;
  keep(): Promise<void>;
  discard(): Promise<void>;
}

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

  /** Receives what `source` streams; fails with payload_too_large past `maxBytes` (the partial file is removed). */
  async receive(source: Readable): Promise<ReceivedUpload> {
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
    const discard = () => unlink(temp).catch(() => {});
    // Opened before the copy starts: a copy that fails at once must not leave the file
    // created after our unlink by a stream that was still opening it.
    const out = createWriteStream(temp, { mode: 0o600 });
    await once(out, 'open');
    try {
      await pipeline(source, measure, out);
    } catch (err) {
      await discard();
      throw err;
    }
    const sha256 = hash.digest('hex');
    // Renaming over the same content refreshes its time: a blob kept again is not an orphan.
    return { sha256, size, keep: () => rename(temp, join(this.dir, sha256)), discard };
  }

  /**
   * Deletes stored files no org records (`recorded` says which are) and partial uploads,
   * last written before `before`: an upload in progress, or stored but not recorded yet,
   * is newer. Returns how many files were deleted.
   */
  async deleteOrphans(before: number, recorded: (sha256s: string[]) => Promise<Set<string>>): Promise<number> {
    const names = await readdir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    const old: string[] = [];
    for (const name of names) {
      if ((SHA256_HEX.test(name) || PARTIAL.test(name)) && (await this.writtenBefore(name, before))) old.push(name);
    }
    const kept = await recorded(old.filter((name) => SHA256_HEX.test(name)));
    let deleted = 0;
    for (const name of old) {
      // Looked at again just before: the same content uploaded meanwhile was renamed over it.
      if (kept.has(name) || !(await this.writtenBefore(name, before))) continue;
      await unlink(join(this.dir, name)).then(
        () => deleted++,
        () => {},
      );
    }
    return deleted;
  }

  private writtenBefore(name: string, before: number): Promise<boolean> {
    return stat(join(this.dir, name)).then(
      (s) => s.mtimeMs < before,
      () => false,
    );
  }
}
