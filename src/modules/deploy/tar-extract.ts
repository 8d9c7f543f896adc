/**
 * Safe extraction of a package archive under a folder. Every entry is checked before
 * anything is written, so a bad archive leaves the disk untouched. Refused: absolute names,
 * ".." segments, symlinks whose target leaves the folder or goes through another link,
 * hard links to anything but an earlier file of the archive, entries written through a
 * link (of the archive or already on disk), devices and fifos. Files get their permission
 * bits without setuid/setgid/sticky; nothing is chowned.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, link, lstat, mkdir, open, rename, symlink, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { readTarEntries, type TarEntry } from './tar-read.ts';

export class UnsafeArchiveError extends Error {
  override name = 'UnsafeArchiveError';
}

/** An entry with its name resolved to segments under the target folder. */
interface Planned extends TarEntry {
  segments: string[];
}

export interface Extracted {
  files: number;
  directories: number;
  links: number;
}

/** Reads, checks, then extracts `archive` under `root` (created when missing). */
export async function extractTar(archive: string, root: string): Promise<Extracted> {
  const handle = await open(archive, 'r');
  let entries: TarEntry[];
  try {
    entries = await readTarEntries(handle);
  } finally {
    await handle.close();
  }
  const plan = await checkEntries(entries, root);
  await mkdir(root, { recursive: true });
  const counts: Extracted = { files: 0, directories: 0, links: 0 };
  for (const entry of plan) {
    const target = join(root, ...entry.segments);
    if (entry.type === 'directory') {
      await mkdir(target, { recursive: true, mode: (entry.mode & 0o777) | 0o700 });
      counts.directories++;
    } else {
      await mkdir(dirname(target), { recursive: true });
      await replace(target, (temp) => writeEntry(archive, root, entry, temp));
      if (entry.type === 'file') counts.files++;
      else counts.links++;
    }
  }
  return counts;
}

/** Checks every entry (see the file's comment); returns them with their resolved names, in archive order. */
export async function checkEntries(entries: readonly TarEntry[], root: string): Promise<Planned[]> {
  const kinds = new Map<string, TarEntry['type']>();
  const plan: Planned[] = [];
  const onDisk = new DiskLinks(root);
  for (const entry of entries) {
    const segments = relativeSegments(entry.name, entry.name);
    if (segments.length === 0) {
      if (entry.type === 'directory') continue; // "./": the target folder itself
      throw new UnsafeArchiveError(`"${entry.name}": an entry must have a name`);
    }
    const key = segments.join('/');
    const seen = kinds.get(key);
    if (seen !== undefined && !(seen === 'directory' && entry.type === 'directory')) {
      throw new UnsafeArchiveError(`"${entry.name}" appears twice in the archive`);
    }
    await throughNoLink(segments.slice(0, -1), kinds, onDisk, entry.name);
    if (await onDisk.isLink(segments)) throw new UnsafeArchiveError(`"${entry.name}" would replace a link on disk`);
    if (entry.type === 'symlink') await checkSymlink(entry, segments, kinds, onDisk);
    if (entry.type === 'hardlink') {
      const target = relativeSegments(entry.linkName, entry.name);
      if (kinds.get(target.join('/')) !== 'file') {
        throw new UnsafeArchiveError(`"${entry.name}": a hard link must point to an earlier file of the archive`);
      }
    }
    kinds.set(key, entry.type);
    plan.push({ ...entry, segments });
  }
  return plan;
}

/** "./a//b/" → ["a", "b"]; absolute names and ".." are refused. */
function relativeSegments(name: string, entryName: string): string[] {
  if (name.startsWith('/')) throw new UnsafeArchiveError(`"${entryName}": absolute path "${name}"`);
  if (name.includes('\0')) throw new UnsafeArchiveError(`"${entryName}": NUL in a name`);
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new UnsafeArchiveError(`"${entryName}": ".." in "${name}"`);
  return segments;
}

/** Every folder on the way must be a real folder: not a symlink of the archive, nor one on disk. */
async function throughNoLink(
  folders: readonly string[],
  kinds: ReadonlyMap<string, TarEntry['type']>,
  onDisk: DiskLinks,
  entryName: string,
): Promise<void> {
  for (let i = 1; i <= folders.length; i++) {
    const prefix = folders.slice(0, i);
    const kind = kinds.get(prefix.join('/'));
    if ((kind !== undefined && kind !== 'directory') || (kind === undefined && (await onDisk.isLink(prefix)))) {
      throw new UnsafeArchiveError(`"${entryName}" would be written through the link "${prefix.join('/')}"`);
    }
  }
}

/**
 * A relative target, resolved from the link's folder one segment at a time: it must stay
 * under the root and cross no other link (a link's ".." is physical, so "a -> ." then
 * "b -> a/.." would leave the folder while looking harmless).
 */
async function checkSymlink(
  entry: TarEntry,
  segments: readonly string[],
  kinds: ReadonlyMap<string, TarEntry['type']>,
  onDisk: DiskLinks,
): Promise<void> {
  if (entry.linkName === '' || entry.linkName.startsWith('/') || entry.linkName.includes('\0')) {
    throw new UnsafeArchiveError(`"${entry.name}": symlink to "${entry.linkName}" must be relative`);
  }
  const at = segments.slice(0, -1);
  const parts = entry.linkName.split('/').filter((s) => s !== '' && s !== '.');
  for (const [i, part] of parts.entries()) {
    if (part === '..') {
      if (at.length === 0)
        throw new UnsafeArchiveError(`"${entry.name}": symlink to "${entry.linkName}" leaves the folder`);
      at.pop();
      continue;
    }
    at.push(part);
    const kind = kinds.get(at.join('/'));
    const last = i === parts.length - 1;
    if ((kind !== undefined && kind !== 'directory' && !last) || (kind === undefined && (await onDisk.isLink(at)))) {
      throw new UnsafeArchiveError(`"${entry.name}": symlink to "${entry.linkName}" goes through another link`);
    }
  }
}

/** Which paths under the root are symlinks on disk now (lstat, cached). */
class DiskLinks {
  private readonly known = new Map<string, boolean>();

  constructor(private readonly root: string) {}

  async isLink(segments: readonly string[]): Promise<boolean> {
    const path = join(this.root, ...segments);
    let link = this.known.get(path);
    if (link === undefined) {
      link = await lstat(path).then(
        (stats) => stats.isSymbolicLink(),
        () => false,
      );
      this.known.set(path, link);
    }
    return link;
  }
}

/** Creates the entry under a temporary name, then renames it over `target`: an existing link is replaced, never followed. */
async function replace(target: string, create: (temp: string) => Promise<void>): Promise<void> {
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.part`);
  try {
    await create(temp);
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
}

async function writeEntry(archive: string, root: string, entry: Planned, temp: string): Promise<void> {
  if (entry.type === 'symlink') return symlink(entry.linkName, temp);
  if (entry.type === 'hardlink') return link(join(root, ...relativeSegments(entry.linkName, entry.name)), temp);
  const mode = entry.mode & 0o777;
  const out = createWriteStream(temp, { flags: 'wx', mode });
  if (entry.size === 0) {
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  } else {
    await pipeline(createReadStream(archive, { start: entry.offset, end: entry.offset + entry.size - 1 }), out);
  }
  // The umask narrowed the mode at creation; the archive's bits are what the package wants.
  await chmod(temp, mode);
}
