/**
 * The key a client is counted under by the per-address limits: its IPv4 address, or its
 * IPv6 address's /64 — one site's network, as one NAT address is for IPv4; a host is
 * given a whole /64, so counting single IPv6 addresses would let it take 2^64 places.
 */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1] as string;
  if (!address.includes(':')) return address;
  // Node gives the compressed form ("2001:db8::1", maybe with a "%zone"): expand the "::".
  const [left = '', right] = (address.split('%')[0] as string).split('::');
  const head = left === '' ? [] : left.split(':');
  const tail = right === undefined || right === '' ? [] : right.split(':');
  const zeros = right === undefined ? [] : Array<string>(8 - head.length - tail.length).fill('0');
  return `${[...head, ...zeros, ...tail].slice(0, 4).join(':')}::/64`;
}
