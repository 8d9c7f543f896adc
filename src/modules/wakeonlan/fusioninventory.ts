/**
 * Wake-on-LAN through a FusionInventory agent (Task/WakeOnLan.pm): a `wakeonlan-relay` job
 * becomes an OPTION named WAKEONLAN with one PARAM MAC per address. The agent sends the
 * magic packets to 255.255.255.255 port 9 (it has no other destination) and reports
 * nothing back, so the job ends when the order is handed over.
 */
import { type FusionInventoryHook, type ReplyNode, XmlAttributes } from '../sdk/index.ts';
import type { RelayParams, RelayPayload, WakeResult } from './schema.ts';

const AGENT_BROADCAST = '255.255.255.255';
const AGENT_PORT = 9;

export type WakeOrder =
  | { handed: true; option: ReplyNode; result: WakeResult; lines: string[] }
  | { handed: false; error: string; result?: WakeResult; lines: string[] };

export function wakeOrder(params: RelayParams, payload: RelayPayload): WakeOrder {
  if (params.broadcast !== AGENT_BROADCAST || params.port !== AGENT_PORT) {
    const error =
      `FusionInventory agents send magic packets to ${AGENT_BROADCAST}:${AGENT_PORT} only ` +
      `(the job asks for ${params.broadcast}:${params.port})`;
    return { handed: false, error, lines: [error] };
  }
  const wakeable = payload.targets.filter((target) => target.macs.length > 0);
  const lines = payload.targets
    .filter((target) => target.macs.length === 0)
    .map((target) => `${target.name}: no MAC address known`);
  const macs = [...new Set(wakeable.flatMap((target) => target.macs.map(colonMac)))];
  const result: WakeResult = { woken: wakeable.length, withoutMac: payload.targets.length - wakeable.length, macs };
  if (macs.length === 0) return { handed: false, error: 'no MAC address to wake', result, lines };
  lines.push(
    `handed ${macs.length} MAC addresses to the agent for ${wakeable.map((t) => t.name).join(', ')} ` +
      `(it sends to ${AGENT_BROADCAST}:${AGENT_PORT} and reports nothing back)`,
  );
  const option = { NAME: 'WAKEONLAN', PARAM: macs.map((mac) => new XmlAttributes({ MAC: mac })) };
  return { handed: true, option, result, lines };
}

/** "AA-BB-CC-DD-EE-FF", "aabbccddeeff" → "aa:bb:cc:dd:ee:ff", the form the agent's pattern takes. */
function colonMac(mac: string): string {
  const hex = mac.replace(/[^0-9a-f]/gi, '').toLowerCase();
  return hex.match(/../g)?.join(':') ?? mac;
}

/** The relay's FusionInventory hook: the order is the job; it ends when handed (or refused). */
export const relayFusionInventory: FusionInventoryHook<RelayParams> = {
  prolog({ params, payload }) {
    const order = wakeOrder(params, payload as RelayPayload);
    if (order.handed) return { lines: order.lines, option: order.option, end: { ok: true, result: order.result } };
    const result = { ...order.result, error: order.error };
    return { lines: order.lines, end: { ok: false, reason: 'module_failed', result } };
  },
};
