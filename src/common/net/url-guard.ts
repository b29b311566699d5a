import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96') as [ipaddr.IPv6, number];

/**
 * How an IPv6 address carries an IPv4 one, if it does: IPv4-mapped (`::ffff:a.b.c.d`),
 * IPv4-translated (RFC 6145, `::ffff:0:a.b.c.d`), IPv4-compatible (`::a.b.c.d`, deprecated),
 * NAT64 (`64:ff9b::a.b.c.d`), 6to4 (`2002:AABB:CCDD::`) and Teredo (server and obfuscated
 * client). A connection to any of them can end at that IPv4 address, so it is judged too.
 */
function embeddedIPv4(addr: ipaddr.IPv6, range: string): ipaddr.IPv4[] {
  const p = addr.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  switch (range) {
    case 'ipv4Mapped':
    case 'rfc6145':
      return [v4(p[6], p[7])];
    case 'rfc6052':
      return addr.match(NAT64_WELL_KNOWN) ? [v4(p[6], p[7])] : [];
    case '6to4':
      return [v4(p[1], p[2])];
    case 'teredo':
      return [v4(p[2], p[3]), v4(~p[6] & 0xffff, ~p[7] & 0xffff)];
    default:
      return p.slice(0, 6).every((x) => x === 0) ? [v4(p[6], p[7])] : [];
  }
}

/**
 * An IPv6 address as the socket layer reads it. ipaddr.js reads the dotted form `::a.b.c.d`
 * as IPv4-mapped, while it is IPv4-compatible (`::7f00:1`, as URLs and DNS spell it); the
 * WHATWG URL parser writes every IPv6 address in canonical hex.
 */
function canonical(address: string): string {
  if (!address.includes(':') || !address.includes('.')) return address;
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address;
  }
}

/** IPv6 ranges that are public when the IPv4 address they embed is. */
const EMBEDDING_RANGES = new Set(['ipv4Mapped', 'rfc6145', 'rfc6052', '6to4', 'teredo']);

/**
 * Why an address may not be fetched (its range, as ipaddr.js names it: loopback, private,
 * linkLocal, uniqueLocal, carrierGradeNat, multicast, reserved, …), or null when it is public
 * unicast. An IPv6 address that embeds an IPv4 one is judged by that IPv4 address too.
 */
export function blockedRange(address: string): string | null {
  let addr: Address;
  try {
    addr = ipaddr.parse(canonical(address));
  } catch {
    return 'invalid';
  }
  const range = addr.range();
  if (addr.kind() === 'ipv4') return range === 'unicast' ? null : range;
  if (range !== 'unicast' && !EMBEDDING_RANGES.has(range)) return range;
  const v6 = addr as ipaddr.IPv6;
  const embedded = embeddedIPv4(v6, range);
  if (!embedded.length) return range === 'unicast' ? null : range;
  // IPv4-compatible addresses (::a.b.c.d) are deprecated; ipaddr.js files them as unicast.
  if (!EMBEDDING_RANGES.has(range)) return 'ipv4Compatible';
  for (const v4 of embedded) {
    const inner = v4.range();
    if (inner !== 'unicast') return `${range}:${inner}`;
  }
  return null;
}

/** AWS's IPv6 instance-metadata address (IPv4: 169.254.169.254, inside link-local). */
const AWS_METADATA_V6 = ipaddr.parse('fd00:ec2::254');

/**
 * Whether an address is link-local (IPv4 169.254.0.0/16, IPv6 fe80::/10, also when embedded in
 * an IPv6 address) or AWS's fd00:ec2::254: where cloud metadata services answer.
 */
export function isMetadataAddress(address: string): boolean {
  const range = blockedRange(address);
  if (range === 'linkLocal' || range?.endsWith(':linkLocal')) return true;
  try {
    const addr = ipaddr.parse(canonical(address));
    return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).toNormalizedString() === AWS_METADATA_V6.toNormalizedString();
  } catch {
    return false;
  }
}

/**
 * `public`: public unicast only (media URLs, webhooks set by a bound token).
 * `no-metadata`: anything but link-local / cloud-metadata addresses (webhooks set by an admin,
 * whose receivers may run next door on a private network).
 */
export type AddressPolicy = 'public' | 'no-metadata';

/**
 * Decides which addresses an outgoing request may reach, by policy, with an allow-list that
 * overrides it. Everything is decided on the parsed address (ipaddr.js), never on its spelling,
 * so every notation of loopback or a private range (`[::127.0.0.1]`, `[::ffff:0:7f00:1]`,
 * `[2002:7f00:1::]`, `0x7f.1`) is the same address.
 */
export class UrlGuard {
  private readonly allowedHosts = new Set<string>();
  private readonly allowedNets: [Address, number][] = [];

  /** `allowlist`: hostnames, IP addresses or CIDRs (`10.0.0.0/8`) that may be reached anyway. */
  constructor(
    allowlist: string[],
    readonly policy: AddressPolicy = 'public',
  ) {
    for (const entry of allowlist) {
      if (entry.includes('/') && ipaddr.isValidCIDR(entry)) this.allowedNets.push(ipaddr.parseCIDR(entry));
      else if (ipaddr.isValid(entry)) {
        const addr = ipaddr.parse(entry);
        this.allowedNets.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
      } else this.allowedHosts.add(entry.toLowerCase());
    }
  }

  /** Whether `hostname` resolving to `address` may be reached. */
  isAllowed(hostname: string, address: string): boolean {
    if (this.allowedHosts.has(hostname.toLowerCase())) return true;
    if (this.isAllowListed(address)) return true;
    return this.policy === 'public' ? blockedRange(address) === null : !isMetadataAddress(address);
  }

  /**
   * For a URL whose host is a literal IP (which skips the DNS lookup): whether it may be
   * reached. Hostnames pass here; they are judged in `lookup()` when the socket connects.
   */
  allowsLiteral(url: URL): boolean {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return !isIP(host) || this.isAllowed(host, host);
  }

  /**
   * A DNS lookup for `http.request`/agents that only hands the socket allowed addresses, so the
   * check is made on the very address connected to (no DNS-rebinding window). With none left,
   * the connection fails with `refused()`.
   */
  lookup(refused: () => Error): LookupFunction {
    return (hostname, opts, callback) => {
      dnsLookup(hostname, { ...opts, all: true }, (err, addresses: LookupAddress[]) => {
        if (err) return callback(err, '', 4);
        const allowed = addresses.filter((a) => this.isAllowed(hostname, a.address));
        if (!allowed.length) return callback(refused(), '', 4);
        if ((opts as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
        callback(null, allowed[0].address, allowed[0].family);
      });
    };
  }

  private isAllowListed(address: string): boolean {
    if (!this.allowedNets.length || !ipaddr.isValid(canonical(address))) return false;
    // An IPv4-mapped address is the IPv4 address for the allow-list as for the socket.
    const addr = ipaddr.process(canonical(address));
    return this.allowedNets.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
  }
}

/** A comma-separated allow-list variable (`MEDIA_URL_ALLOWLIST`, `WEBHOOK_URL_ALLOWLIST`) → its entries. */
export function parseAllowlist(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}
