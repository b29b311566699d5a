import { BlockList, isIP } from 'node:net';

/**
 * Address ranges a media URL may not reach unless allow-listed: loopback, private,
 * carrier-grade NAT, link-local (cloud metadata at 169.254.169.254), multicast, reserved,
 * and their IPv6 counterparts (IPv4-mapped addresses are checked as IPv4).
 */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32], ['100::', 64],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv6');

export class UrlGuard {
  private readonly allowedHosts = new Set<string>();
  private readonly allowedNets = new BlockList();

  /** `allowlist`: hostnames, IP addresses or CIDRs (`10.0.0.0/8`) that may be private. */
  constructor(allowlist: string[]) {
    for (const entry of allowlist) {
      const [addr, prefix] = entry.split('/');
      const family = isIP(addr);
      if (family && prefix) this.allowedNets.addSubnet(addr, Number(prefix), family === 6 ? 'ipv6' : 'ipv4');
      else if (family) this.allowedNets.addAddress(addr, family === 6 ? 'ipv6' : 'ipv4');
      else this.allowedHosts.add(entry.toLowerCase());
    }
  }

  /** Whether `hostname` resolving to `address` may be fetched. */
  isAllowed(hostname: string, address: string): boolean {
    if (this.allowedHosts.has(hostname.toLowerCase())) return true;
    const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const ip = v4 ?? address;
    const type = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (this.allowedNets.check(ip, type)) return true;
    return !BLOCKED.check(ip, type);
  }
}
