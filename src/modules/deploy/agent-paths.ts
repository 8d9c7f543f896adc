/**
 * The agent's own check of where a deploy payload may write, whatever the server said: a
 * relative `to` lands under this agent's package root, an absolute one only under a folder
 * the payload names as allowed for the org; and no folder on the way down from that root
 * or prefix may be a symlink (a link left there, say `root/app -> /etc`, would carry the
 * extraction out). tar-extract.ts then keeps every entry under the folder returned here.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkExtractTarget, prefixOf } from './paths.ts';

export class RefusedTarget extends Error {
  override name = 'RefusedTarget';
}

export interface AgentPlaces {
  packageRoot: string;
  extractPrefixes: readonly string[];
}

/** The absolute folder to extract to; throws RefusedTarget when `to` may not be written. */
export async function extractFolder(to: string, places: AgentPlaces): Promise<string> {
  try {
    checkExtractTarget(to, places.extractPrefixes, 'to');
  } catch (err) {
    throw new RefusedTarget(err instanceof Error ? err.message : String(err));
  }
  const shortest = [...places.extractPrefixes].sort((a, b) => a.length - b.length);
  const base = to.startsWith('/') ? (prefixOf(to, shortest) as string) : places.packageRoot;
  const below = (to.startsWith('/') ? to.slice(base.length) : to).split('/').filter((s) => s !== '');
  let at = base;
  for (const segment of below) {
    at = join(at, segment);
    const stats = await lstat(at).catch(() => null);
    if (stats === null) break; // nothing below exists yet: extraction creates real folders
    if (stats.isSymbolicLink()) throw new RefusedTarget(`"${to}": "${at}" is a symlink`);
  }
  return to.startsWith('/') ? to : join(places.packageRoot, to);
}

/** A check's path: relative ones are read under the package root, absolute ones as they are. */
export function checkedPath(path: string, places: AgentPlaces): string {
  return path.startsWith('/') ? path : join(places.packageRoot, path);
}
