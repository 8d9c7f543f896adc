import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';

/**
 * The URL the server is told to send wakes to. The server accepts only the address each
 * request comes from (or loopback for an agent on its own machine), so a listener bound to
 * every address (0.0.0.0, ::) is announced at the address this machine reaches the server
 * from; one bound to a single address, at that address.
 */
export async function wakeUrlFor(listener: { host: string; port: number }, server: string): Promise<string> {
  const wildcard = listener.host === '0.0.0.0' || listener.host === '::';
  const host = wildcard ? await localAddressTowards(server) : listener.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${listener.port}`;
}

/** The local address the system routes to `server` from: connecting a UDP socket sends nothing. */
async function localAddressTowards(server: string): Promise<string> {
  const url = new URL(server);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(Number(url.port) || (url.protocol === 'https:' ? 443 : 80), host, () => resolve());
    });
    return socket.address().address;
  } finally {
    socket.close();
  }
}
