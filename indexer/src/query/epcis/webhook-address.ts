/**
 * Which addresses a webhook may reach. A subscriber chooses the destination,
 * so without a check the indexer would POST on its behalf to its own loopback,
 * the cloud metadata service (169.254.169.254) or the operator's private
 * network. An address is "internal" when it is not globally routable: loopback,
 * link-local, private (RFC 1918, CGNAT, IPv6 ULA), multicast, unspecified,
 * broadcast and reserved ranges, and the IPv6 forms that embed such an IPv4
 * address (IPv4-mapped, IPv4-compatible, NAT64, 6to4). Internal addresses are
 * refused unless the operator's allow-list names them. Pure functions: nothing
 * here opens a connection or resolves a name.
 */
import { BlockList, isIP, isIPv4 } from 'node:net';

/** IPv4 ranges that are not globally reachable (IANA special-purpose registry). */
const INTERNAL_V4: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this network", including the unspecified address
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, including the cloud metadata service 169.254.169.254
  ['172.16.0.0', 12], // private (RFC 1918)
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private (RFC 1918)
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, including the broadcast address 255.255.255.255
];

/** IPv6 ranges that are not globally reachable (the IPv4-embedding ones are checked by their IPv4 address). */
const INTERNAL_V6: Array<[string, number]> = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (ULA)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed inside some networks)
  ['ff00::', 8], // multicast
];

const INTERNAL = new BlockList();
for (const [net, prefix] of INTERNAL_V4) INTERNAL.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of INTERNAL_V6) INTERNAL.addSubnet(net, prefix, 'ipv6');

/** The 8 groups of an IPv6 address as numbers (the input is a valid IPv6 literal). */
function groups(ip: string): number[] {
  let s = ip.toLowerCase().replace(/%.*$/, '');
  // A trailing dotted IPv4 part becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    s = s.slice(0, -dotted[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...zeros, ...t].map((g) => parseInt(g, 16));
}

const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * The IPv4 address an IPv6 address carries, when it is one of the forms that
 * reach an IPv4 host: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible
 * (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::).
 */
export function embeddedIPv4(ip: string): string | undefined {
  if (isIP(ip) !== 6) return undefined;
  const g = groups(ip);
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(5) && g[5] === 0xffff) return v4(g[6], g[7]);
  if (zeroUpTo(6) && (g[6] !== 0 || g[7] > 1)) return v4(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4(g[6], g[7]);
  if (g[0] === 0x2002) return v4(g[1], g[2]);
  return undefined;
}

/** True when `ip` (an IPv4 or IPv6 literal) is not a globally routable address, or not an address at all. */
export function isInternalAddress(ip: string): boolean {
  const bare = ip.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) return true;
  if (family === 4) return INTERNAL.check(bare, 'ipv4');
  const inner = embeddedIPv4(bare);
  if (inner !== undefined) return INTERNAL.check(inner, 'ipv4');
  return INTERNAL.check(bare.replace(/%.*$/, ''), 'ipv6');
}

/** One allow-list entry as the operator wrote it. */
export type AllowEntry = { kind: 'cidr'; net: string; prefix: number; family: 4 | 6 } | { kind: 'host-port'; host: string; port: number };

/**
 * Parses the operator's allow-list: comma-separated entries, each a CIDR
 * (`10.1.0.0/16`, `::1/128`), a single address (`127.0.0.1`: any port), or
 * `host:port` (`127.0.0.1:9000`, `[::1]:9000`, `hooks.internal:443`: that
 * port only; a name is matched as the URL names it). Throws on a malformed entry.
 */
export function parseAllowList(entries: readonly string[]): AllowEntry[] {
  return entries.map((raw) => {
    const e = raw.trim();
    const cidr = /^([^/]+)\/(\d{1,3})$/.exec(e);
    if (cidr) {
      const family = isIP(cidr[1]);
      const prefix = Number(cidr[2]);
      if (family === 0 || prefix > (family === 4 ? 32 : 128)) throw new Error(`"${raw}" is not a CIDR`);
      return { kind: 'cidr', net: cidr[1], prefix, family: family as 4 | 6 };
    }
    const family = isIP(e);
    if (family !== 0) return { kind: 'cidr', net: e, prefix: family === 4 ? 32 : 128, family: family as 4 | 6 };
    const hp = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(e);
    const port = hp ? Number(hp[3]) : NaN;
    if (!hp || port < 1 || port > 65535 || (hp[1] !== undefined && isIP(hp[1]) !== 6)) throw new Error(`"${raw}" is neither a CIDR, an address nor host:port`);
    return { kind: 'host-port', host: (hp[1] ?? hp[2]).toLowerCase(), port };
  });
}

/** What a destination check looks at: the URL's host name and port, and one address it resolved to. */
export interface Destination {
  /** The URL's host as written (lower case, without brackets). */
  host: string;
  port: number;
  address: string;
}

/** True when the allow-list names this destination (by address range, or by host or address with the port). */
export function isAllowed(d: Destination, allow: readonly AllowEntry[]): boolean {
  const address = d.address.replace(/^\[|\]$/g, '');
  const inner = embeddedIPv4(address);
  const family = isIP(address);
  for (const a of allow) {
    if (a.kind === 'host-port') {
      if (a.port === d.port && (a.host === d.host || (isIP(a.host) !== 0 && sameAddress(a.host, address)))) return true;
      continue;
    }
    const list = new BlockList();
    list.addSubnet(a.net, a.prefix, a.family === 4 ? 'ipv4' : 'ipv6');
    if (a.family === 4 && (family === 4 || inner !== undefined) && list.check(family === 4 ? address : inner!, 'ipv4')) return true;
    if (a.family === 6 && family === 6 && list.check(address, 'ipv6')) return true;
  }
  return false;
}

function sameAddress(a: string, b: string): boolean {
  const list = new BlockList();
  list.addAddress(a, isIPv4(a) ? 'ipv4' : 'ipv6');
  return list.check(b, isIPv4(b) ? 'ipv4' : 'ipv6');
}

/** True when the indexer may connect to this destination: a public address, or one the allow-list names. */
export function mayConnect(d: Destination, allow: readonly AllowEntry[]): boolean {
  return !isInternalAddress(d.address) || isAllowed(d, allow);
}
