import type { NetworkInterface } from './schema.ts';

/**
 * The hardware addresses in a stored inventory (wake-on-LAN needs them), without
 * duplicates. Reads defensively: an inventory stored by an older version may lack fields.
 */
export function macsOf(inventory: Record<string, unknown> | null): string[] {
  const interfaces = inventory?.['interfaces'];
  if (!Array.isArray(interfaces)) return [];
  const macs = (interfaces as Partial<NetworkInterface>[])
    .filter((nic) => !nic.internal && typeof nic.mac === 'string')
    .map((nic) => nic.mac as string);
  return [...new Set(macs)];
}
