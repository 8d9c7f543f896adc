/**
 * A package archive as FusionInventory agents download it (modules/fusioninventory/
 * file-parts.ts): the whole file's sha512 and its parts' sha512s, read once per archive and
 * kept in memory (archives never change: they are named by their sha256). A part is rebuilt
 * from its slice when an agent asks for it; nothing is written to disk.
 *
 * The archive is also vetted here, once: the agent extracts it with the system's tar, so it
 * may hold only plain files and folders under relative names without "..".
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { readTarEntries, TarFormatError } from '../../modules/deploy/tar-read.ts';
import { gzipStored, PART_SIZE, partRanges } from '../../modules/fusioninventory/file-parts.ts';
import type { PackageFiles } from '../package-files.ts';

export interface ArchiveIndex {
  sha512: string;
  parts: string[];
  /** Why agents may not extract it, null when they may. */
  refusal: string | null;
}

/** Archives indexed at once in memory; an index is ~130 bytes per MiB of archive. */
const MAX_CACHED = 64;

export class ArchiveParts {
  private readonly cache = new Map<string, Promise<ArchiveIndex>>();

  constructor(private readonly files: PackageFiles) {}

  index(sha256: string): Promise<ArchiveIndex> {
    let index = this.cache.get(sha256);
    if (!index) {
      index = this.build(sha256);
      this.cache.set(sha256, index);
      index.catch(() => this.cache.delete(sha256));
      if (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
    }
    return index;
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
      return { sha512: whole.digest('hex'), parts, refusal: await vet(handle) };
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

async function vet(handle: Awaited<ReturnType<typeof open>>): Promise<string | null> {
  try {
    for (const entry of await readTarEntries(handle)) {
      const segments = entry.name.split('/');
      if (entry.type !== 'file' && entry.type !== 'directory') {
        return `"${entry.name}" is a ${entry.type}: FusionInventory agents get plain files and folders only`;
      }
      if (entry.name.startsWith('/') || segments.includes('..') || entry.name.includes('\0')) {
        return `"${entry.name}" is not a relative name inside the folder`;
      }
    }
    return null;
  } catch (err) {
    if (err instanceof TarFormatError) return `the archive is not a tar archive this server reads: ${err.message}`;
    throw err;
  }
}
