import { BlockList, isIP } from 'node:net';
import { ValidationError } from '../core/errors.ts';

/** Ports up to this one are the system's services (ssh, smtp, http…): no agent listens there. */
const HIGHEST_SYSTEM_PORT = 1023;

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Where the server may send an agent's push wakes: back to the machine that is asking, and
 * nowhere else, so that no agent (nor anyone holding an enrolment token) can make the server
 * send requests to other hosts or to services on its own loopback. The URL is an http(s)
 * origin: an IP address — the one the request came from (`from`), or, for an agent on the
 * server's own machine (a loopback request), a loopback address —, a port above 1023, and no
 * path, query, fragment or credentials: the protocol fixes the path (`POST <url>/wake`).
 * Returns the URL as stored (`http://host:port`); null stays null (pull only).
 */
export function checkWakeUrl(value: string | null, opts: { field: string; from: string }): string | null {
  if (value === null) return null;
  const { field } = opts;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(field, `"${value}" is not a URL (expected http://<address>:<port>)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError(field, 'must be http or https');
  if (url.username || url.password || url.search || url.hash) {
    throw new ValidationError(field, 'must have no credentials, query or fragment');
  }
  if (url.pathname !== '/') {
    throw new ValidationError(field, 'must have no path: the server always sends wakes to <url>/wake');
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (port <= HIGHEST_SYSTEM_PORT) throw new ValidationError(field, `must name a port above ${HIGHEST_SYSTEM_PORT}`);
  const host = canonicalIp(url.hostname.replace(/^\[|\]$/g, ''));
  const from = canonicalIp(opts.from);
  if (host === null) throw new ValidationError(field, 'must name an IP address, not a host name');
  if (from !== null && isLoopback(from)) {
    if (!isLoopback(host)) {
      throw new ValidationError(field, 'must be a loopback address (127.x.x.x or [::1]): the agent runs on the server');
    }
  } else if (host !== from) {
    throw new ValidationError(field, `must point at the address this agent contacts the server from (${opts.from})`);
  }
  return url.origin;
}

/** One spelling per address: IPv6 as the URL parser writes it, IPv4-mapped IPv6 as IPv4. */
function canonicalIp(text: string): string | null {
  const version = isIP(text);
  if (version === 4) return text;
  if (version !== 6) return null;
  const v6 = new URL(`http://[${text}]`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (!mapped) return v6;
  const [high, low] = [Number.parseInt(mapped[1] as string, 16), Number.parseInt(mapped[2] as string, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

function isLoopback(ip: string): boolean {
  return LOOPBACK.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
}
