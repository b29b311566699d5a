import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockedRange, isMetadataAddress, UrlGuard } from './url-guard';

/** Every family of address a media URL can name, each with its verdict (null: public, fetched). */
const TABLE: [string, string | null][] = [
  // IPv4
  ['8.8.8.8', null],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'carrierGradeNat'],
  ['169.254.169.254', 'linkLocal'],
  ['0.0.0.0', 'unspecified'],
  ['224.0.0.1', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['192.0.2.1', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['240.0.0.1', 'reserved'],
  // IPv6 native
  ['2606:4700:4700::1111', null],
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['fe80::1', 'linkLocal'],
  ['fc00::1', 'uniqueLocal'],
  ['fd12:3456::1', 'uniqueLocal'],
  ['fec0::1', 'deprecatedSiteLocal'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'reserved'],
  ['100::1', 'discard'],
  // IPv4 inside IPv6: judged by the IPv4 address
  ['::ffff:127.0.0.1', 'ipv4Mapped:loopback'],
  ['::ffff:7f00:1', 'ipv4Mapped:loopback'],
  ['::ffff:10.0.0.1', 'ipv4Mapped:private'],
  ['::ffff:8.8.8.8', null],
  ['::ffff:0:7f00:1', 'rfc6145:loopback'],
  ['::ffff:0:808:808', null],
  ['::127.0.0.1', 'ipv4Compatible'],
  ['::7f00:1', 'ipv4Compatible'],
  ['::8.8.8.8', 'ipv4Compatible'],
  ['64:ff9b::7f00:1', 'rfc6052:loopback'],
  ['64:ff9b::a9fe:a9fe', 'rfc6052:linkLocal'],
  ['64:ff9b::808:808', null],
  ['64:ff9b:1::a00:1', 'rfc6052'],
  ['2002:7f00:1::', '6to4:loopback'],
  ['2002:a9fe:a9fe::1', '6to4:linkLocal'],
  ['2002:c0a8:101::', '6to4:private'],
  ['2002:808:808::', null],
  // Teredo: server 65.54.227.120; client 127.0.0.1 and 8.8.8.8, obfuscated (XOR 0xffff)
  ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'teredo:loopback'],
  ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', null],
  ['2001:0:7f00:1:8000:63bf:f7f7:f7f7', 'teredo:loopback'],
  ['not an address', 'invalid'],
];

describe('URL guard', () => {
  it('decides every address family by the parsed address and any IPv4 address it embeds', () => {
    const wrong = TABLE.filter(([address, expected]) => blockedRange(address) !== expected).map(([a, e]) => `${a}: ${blockedRange(a)} (expected ${e})`);
    assert.deepEqual(wrong, []);
  });

  it('refuses every non-public address and lets the allow-list open hosts, addresses and ranges', () => {
    const closed = new UrlGuard([]);
    for (const [address, expected] of TABLE) assert.equal(closed.isAllowed('media.example', address), expected === null, address);
    const open = new UrlGuard(['10.0.0.0/8', '127.0.0.1', 'fd00::/8', 'minio.internal']);
    assert.ok(open.isAllowed('x', '10.2.3.4'));
    assert.ok(open.isAllowed('x', '::ffff:10.2.3.4'), 'the IPv4-mapped form of an allowed address');
    assert.ok(open.isAllowed('x', '127.0.0.1'));
    assert.ok(!open.isAllowed('x', '127.0.0.2'));
    assert.ok(open.isAllowed('x', 'fd00::5'));
    assert.ok(!open.isAllowed('x', 'fc00::5'));
    assert.ok(open.isAllowed('MinIO.internal', '192.168.1.9'));
    assert.ok(!open.isAllowed('other.internal', '192.168.1.9'));
  });

  it('under the no-metadata policy lets private addresses through but not link-local or fd00:ec2::254', () => {
    const admin = new UrlGuard([], 'no-metadata');
    for (const address of ['127.0.0.1', '10.0.0.1', '::1', 'fd00::1', '93.184.216.34']) assert.ok(admin.isAllowed('x', address), address);
    for (const address of ['169.254.169.254', '::ffff:169.254.169.254', '2002:a9fe:a9fe::', 'fe80::1', 'fd00:ec2::254', 'fd00:ec2:0:0:0:0:0:254']) {
      assert.ok(isMetadataAddress(address), address);
      assert.ok(!admin.isAllowed('x', address), address);
    }
    assert.ok(new UrlGuard(['169.254.0.0/16'], 'no-metadata').isAllowed('x', '169.254.169.254'));
  });
});
