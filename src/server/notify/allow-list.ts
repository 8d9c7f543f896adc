// Where webhooks may go (SECURITY.md "Notifications"): the global admin's allow list of host
// names and address ranges, or by default any host but the server's own machine, link-local
// addresses and the cloud metadata service. A host name is resolved and every address it
// gives is checked; the one the request then connects to is pinned, so a name that resolves
// elsewhere a moment later (DNS rebinding) changes nothing.
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { ValidationError } from '../../core/errors.ts';
import { DeliveryRefused } from '../../core/ports/notifications.ts';

/** An allow-list entry: a host name (`*.example.org` for its subdomains) or an address range. */
export type AllowEntry =
  | { kind: 'host'; name: string; subdomains: boolean }
  | { kind: 'net'; address: string; prefix: number; family: 'ipv4' | 'ipv6' };

/** Ranges no default lets a webhook reach; an entry must name (a part of) one to allow it. */
const REFUSED_RANGES: { address: string; prefix: number; family: 'ipv4' | 'ipv6'; what: string }[] = [
  { address: '127.0.0.0', prefix: 8, family: 'ipv4', what: 'loopback' },
  { address: '::1', prefix: 128, family: 'ipv6', what: 'loopback' },
  { address: '0.0.0.0', prefix: 8, family: 'ipv4', what: 'this host' },
  { address: '::', prefix: 128, family: 'ipv6', what: 'this host' },
  { address: '169.254.0.0', prefix: 16, family: 'ipv4', what: 'link-local, the metadata service' },
  { address: 'fe80::', prefix: 10, family: 'ipv6', what: 'link-local' },
  { address: 'fd00:ec2::254', prefix: 128, family: 'ipv6', what: 'the metadata service' },
];

export interface Destination {
  address: string;
  family: 4 | 6;
}

export type Lookup = (host: string) => Promise<{ address: string; family: number }[]>;

const systemLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true });

/** `TASKWARDEN_WEBHOOK_ALLOW`: comma-separated host names, addresses and CIDR ranges. */
export function parseAllowList(text: string, source: string): AllowEntry[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new ValidationError(source, 'names no host or address range');
  return entries.map((entry) => parseEntry(entry, source));
}

function parseEntry(entry: string, source: string): AllowEntry {
  const [address = '', prefixText, extra] = entry.split('/');
  const family = isIP(address);
  if (family !== 0 && extra === undefined) {
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
    if (prefix < 0 || prefix > max)
      throw new ValidationError(source, `"${entry}" has no valid prefix length (0-${max})`);
    return { kind: 'net', address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
  }
  const subdomains = entry.startsWith('*.');
  const name = subdomains ? entry.slice(2) : entry;
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(name)) {
    throw new ValidationError(source, `"${entry}" is not a host name, an address or a CIDR range`);
  }
  return { kind: 'host', name, subdomains };
}

/**
 * Decides where a webhook may connect. `allow` null is the default rule (any host but the
 * refused ranges); a list allows what it names, and a refused range only when an entry
 * lies within it (`127.0.0.1` allows loopback's 127.0.0.1; `0.0.0.0/0` does not).
 */
export class WebhookGuard {
  private readonly nets: { entry: Extract<AllowEntry, { kind: 'net' }>; list: BlockList }[];
  private readonly hosts: Extract<AllowEntry, { kind: 'host' }>[];

  constructor(
    readonly allow: AllowEntry[] | null,
    private readonly lookup: Lookup = systemLookup,
  ) {
    this.nets = (allow ?? []).flatMap((entry) => (entry.kind === 'net' ? [{ entry, list: blockOf(entry) }] : []));
    this.hosts = (allow ?? []).flatMap((entry) => (entry.kind === 'host' ? [entry] : []));
  }

  /** What the allow list says, for messages and the docs. */
  describe(): string {
    if (this.allow === null) return 'any host but loopback, link-local and metadata addresses';
    return this.allow
      .map((e) => (e.kind === 'host' ? `${e.subdomains ? '*.' : ''}${e.name}` : `${e.address}/${e.prefix}`))
      .join(', ');
  }

  /** For the API: a URL that may not be used is 400 naming `field`. */
  async check(url: string, field: string): Promise<void> {
    try {
      await this.destination(new URL(url));
    } catch (err) {
      if (err instanceof DeliveryRefused) throw new ValidationError(field, err.message);
      throw err;
    }
  }

  /** The address to connect to for `url`, or a DeliveryRefused saying why none may be used. */
  async destination(url: URL): Promise<Destination> {
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const literal = isIP(host) !== 0;
    const nameAllowed = this.allow === null || (!literal && this.hosts.some((h) => nameMatches(h, host)));
    let addresses: { address: string; family: number }[];
    if (literal) addresses = [{ address: host, family: isIP(host) }];
    else {
      try {
        addresses = await this.lookup(host);
      } catch {
        throw new DeliveryRefused(`the host "${host}" cannot be resolved`);
      }
    }
    const refusals: string[] = [];
    for (const { address, family } of addresses) {
      const why = this.refusal(address, nameAllowed);
      if (why === null) return { address, family: family === 6 ? 6 : 4 };
      refusals.push(`${address} (${why})`);
    }
    if (!literal && !nameAllowed && this.nets.length === 0) {
      throw new DeliveryRefused(`the host "${host}" is not in the webhook allow list (${this.describe()})`);
    }
    const shown = literal ? refusals.join(', ') : `"${host}", which resolves to ${refusals.join(', ') || 'no address'}`;
    throw new DeliveryRefused(`webhooks may not reach ${shown}`);
  }

  /** Why an address may not be reached, or null when it may. */
  private refusal(address: string, nameAllowed: boolean): string | null {
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    const refused = REFUSED_RANGES.find((r) => blockOf(r).check(address, family));
    const byNet = this.nets.find(
      ({ entry, list }) => list.check(address, family) && (!refused || within(entry, refused)),
    );
    if (byNet) return null;
    if (refused) return refused.what;
    if (nameAllowed) return null;
    return 'not in the webhook allow list';
  }
}

function nameMatches(entry: Extract<AllowEntry, { kind: 'host' }>, host: string): boolean {
  return entry.subdomains ? host.endsWith(`.${entry.name}`) : host === entry.name;
}

/**
 * Whether the entry's range (which holds an address of the refused one) lies inside it, so
 * it names that part explicitly. Prefixes compare as IPv6 ones: IPv4 is ::ffff:0:0/96.
 */
function within(entry: AllowEntry & { kind: 'net' }, refused: { prefix: number; family: 'ipv4' | 'ipv6' }): boolean {
  const asIpv6 = (prefix: number, family: 'ipv4' | 'ipv6') => (family === 'ipv4' ? prefix + 96 : prefix);
  return asIpv6(entry.prefix, entry.family) >= asIpv6(refused.prefix, refused.family);
}

function blockOf(range: { address: string; prefix: number; family: 'ipv4' | 'ipv6' }): BlockList {
  const list = new BlockList();
  list.addSubnet(range.address, range.prefix, range.family);
  return list;
}
