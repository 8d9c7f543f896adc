import type { InventoryChange } from '../sdk/index.ts';

/**
 * Field-level differences between two inventories, for the agent's history. Lists of
 * records are keyed by what identifies an item (a disk by its mount point, an interface by
 * its name), so a new disk reads `disks[/data].sizeBytes: (absent) → 512 GiB` rather than
 * every later item shifting. Lists of plain values (an interface's addresses) compare as
 * one value. Free disk space changes at every inventory and is left out: the current value
 * is in the inventory itself.
 */
const LIST_KEYS: Record<string, string> = { disks: 'mount', interfaces: 'name' };
const VOLATILE = /^disks\[.*\]\.freeBytes$/;

export function diffInventory(before: Record<string, unknown>, after: Record<string, unknown>): InventoryChange[] {
  const old = flatten(before);
  const now = flatten(after);
  const changes: InventoryChange[] = [];
  for (const path of new Set([...old.keys(), ...now.keys()])) {
    if (VOLATILE.test(path)) continue;
    const from = old.get(path);
    const to = now.get(path);
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    changes.push({ path, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Leaf values by path ("os.version", "interfaces[eth0].mac"). */
function flatten(value: unknown, path = '', into = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value)) {
    const key = LIST_KEYS[path];
    if (key === undefined || !value.every((item) => isRecord(item) && typeof item[key] === 'string')) {
      into.set(path, value);
      return into;
    }
    for (const item of value as Record<string, unknown>[]) flatten(item, `${path}[${item[key] as string}]`, into);
    return into;
  }
  if (isRecord(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, path ? `${path}.${key}` : key, into);
    return into;
  }
  into.set(path, value);
  return into;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
