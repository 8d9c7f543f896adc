/**
 * A package archive as FusionInventory agents download it (modules/fusioninventory/
 * file-parts.ts): the whole file's sha512 and its parts' sha512s, read once per archive and
 * kept in memory (archives never change: they are named by their sha256). A part is rebuilt
 * from its slice when an agent asks for it; nothing is written to disk.
 *
 * What a module's FusionInventory hook says of an archive (checkArchive: deploy's agents
 * extract it with the system's tar) is asked once per archive and module, and kept the same way.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FusionInventoryDeploy } from '../../core/ports/fusioninventory-hook.ts';
import { gzipStored, PART_SIZE, partRanges } from '../../modules/fusioninventory/file-parts.ts';
import type { PackageFiles } from '../package-files.ts';

export interface ArchiveIndex {
  sha512: string;
  parts: string[];
}

/** A module's verdict on a file it would hand out: why not, or null. */
type ArchiveCheck = NonNullable<FusionInventoryDeploy<unknown>['checkArchive']>;

/** Archives indexed at once in memory; an index is ~130 bytes per MiB of archive. */
const MAX_CACHED = 64;

export class ArchiveParts {
  private readonly indexes = new Map<string, Promise<ArchiveIndex>>();
  private readonly refusals = new Map<string, Promise<string | null>>();

  constructor(private readonly files: PackageFiles) {}

  index(sha256: string): Promise<ArchiveIndex> {
    return cached(this.indexes, sha256, () => this.build(sha256));
  }

  /** Why `check` (the hook of module `module`) refuses the archive, or null. */
  refusal(sha256: string, module: string, check: ArchiveCheck): Promise<string | null> {
    const path = this.files.pathOf(sha256);
    return cached(this.refusals, `${module} ${sha256}`, () => check({ path }));
  }

  /** The part with that sha512, as the agent gets it; null when the archive has none. */
  async part(sha256: string, sha512: string): Promise<Buffer | null> {
    const number = (await this.index(sha256).catch(missingAsNull))?.parts.indexOf(sha512) ?? -1;
    if (number === -1) return null;
    const handle = await open(this.files.pathOf(sha256), 'r');
    try {
      const { start, end } = partRanges((await handle.stat()).size)[number] as { start: number; end: number };
      const slice = Buffer.alloc(end - start);
      await handle.read(slice, 0, slice.length, start);
      return gzipStored(slice);
    } finally {
      await handle.close();
    }
  }

  private async build(sha256: string): Promise<ArchiveIndex> {
    const handle = await open(this.files.pathOf(sha256), 'r');
    try {
      const whole = createHash('sha512');
      const parts: string[] = [];
      const buffer = Buffer.alloc(PART_SIZE);
      for (const { start, end } of partRanges((await handle.stat()).size)) {
        const { bytesRead } = await handle.read(buffer, 0, end - start, start);
        const slice = buffer.subarray(0, bytesRead);
        whole.update(slice);
        parts.push(createHash('sha512').update(gzipStored(slice)).digest('hex'));
      }
      return { sha512: whole.digest('hex'), parts };
    } finally {
      await handle.close();
    }
  }
}

/** An archive the store lists but the disk lacks (another node's, a restore) is no part of anything. */
function missingAsNull(err: unknown): null {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
  throw err;
}

/** The value under `key`, built once; a failed build is forgotten (the next call tries again). */
function cached<T>(cache: Map<string, Promise<T>>, key: string, build: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    value = build();
    cache.set(key, value);
    value.catch(() => cache.delete(key));
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
  }
  return value;
}
