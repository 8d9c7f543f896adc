/**
 * A FusionInventory agent's zone, from its inventory: OPERATINGSYSTEM/TIMEZONE/NAME (the
 * GLPI and FusionInventory agents send it there; HARDWARE/TIMEZONE/NAME is looked at too).
 * Only an IANA name counts: a Windows agent sends "Romance Standard Time", which a schedule
 * cannot read, and its zone then stays as it was (tz "agent" schedules use their fallbackTz).
 */

import { nodesOf, textOf, type XmlNode } from '../../core/fusioninventory-message.ts';
import { checkTimeZone } from '../../core/schedule/agent-local.ts';

export function timezoneOfInventory(content: XmlNode): string | null {
  for (const section of ['OPERATINGSYSTEM', 'HARDWARE']) {
    const node = nodesOf(content[section])[0];
    const zone = node ? nodesOf(node['TIMEZONE'])[0] : undefined;
    const name = zone ? textOf(zone['NAME']).trim() : '';
    if (!name) continue;
    try {
      return checkTimeZone(name, 'TIMEZONE/NAME');
    } catch {
      // Not an IANA name: the next section may have one.
    }
  }
  return null;
}
