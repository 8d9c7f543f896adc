/**
 * Wake-on-LAN: a "magic packet" is 6 bytes 0xFF then the target's 6-byte MAC 16 times,
 * sent as one UDP datagram to a broadcast address (port 9, "discard", by convention).
 */
import { createSocket } from 'node:dgram';

const MAC = /^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i;

/** Accepts aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff and aabbccddeeff; returns the 6 bytes, or null. */
export function macBytes(text: string): Buffer | null {
  if (!MAC.test(text)) return null;
  return Buffer.from(text.replace(/[:-]/g, ''), 'hex');
}

export function magicPacket(mac: Buffer): Buffer {
  if (mac.length !== 6) throw new RangeError('a MAC address has 6 bytes');
  return Buffer.concat([Buffer.alloc(6, 0xff), ...Array.from({ length: 16 }, () => mac)]);
}

export interface WakeDestination {
  /** An IPv4 broadcast address (255.255.255.255, or a subnet's, like 192.168.1.255). */
  broadcast: string;
  port: number;
}

/** Sends one magic packet per MAC from one socket; rejects on the first send that fails. */
export async function sendMagicPackets(macs: readonly string[], to: WakeDestination): Promise<void> {
  const packets = macs.map((mac) => {
    const bytes = macBytes(mac);
    if (!bytes) throw new RangeError(`"${mac}" is not a MAC address`);
    return magicPacket(bytes);
  });
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, () => {
        socket.setBroadcast(true);
        resolve();
      });
    });
    for (const packet of packets) {
      await new Promise<void>((resolve, reject) =>
        socket.send(packet, to.port, to.broadcast, (err) => (err ? reject(err) : resolve())),
      );
    }
  } finally {
    socket.close();
  }
}
