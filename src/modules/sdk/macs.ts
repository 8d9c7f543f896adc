/**
 * The hardware addresses in a stored inventory (wake-on-LAN needs them), without
 * duplicates. Reads defensively: an inventory stored by an older version, or by another
 * module, may lack fields. In the SDK because the stored inventory is the fleet's, not one
 * module's: `inventory` writes it, `wakeonlan` and others read it.
 */
export function macsOf(inventory: Record<string, unknown> | null): string[] {
  const interfaces = inventory?.['interfaces'];
  if (!Array.isArray(interfaces)) return [];
  const macs = (interfaces as { internal?: unknown; mac?: unknown }[])
    .filter((nic) => !nic.internal && typeof nic.mac === 'string')
    .map((nic) => nic.mac as string);
  return [...new Set(macs)];
}
