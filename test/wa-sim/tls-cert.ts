/**
 * A throw-away certificate authority and a server certificate for the loopback media host,
 * built with node:crypto only (ECDSA P-256, hand-encoded X.509 DER). Baileys uploads media
 * to `https://<media_conn host>/mms/...` (URLs are hard-coded https in
 * lib/Utils/messages-media.js), so the media host needs TLS that a test process can trust.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';

// ---- minimal DER encoder ---------------------------------------------------------------

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, content: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), len(content.length), content]);
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 + n, inner);
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bitString = (b: Buffer, unusedBits = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), b]));
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));

function integer(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  let v = b.subarray(i);
  if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return tlv(0x02, v);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [parts[0] * 40 + parts[1]];
  for (const p of parts.slice(2)) {
    const stack: number[] = [p & 0x7f];
    for (let v = p >> 7; v > 0; v >>= 7) stack.unshift((v & 0x7f) | 0x80);
    out.push(...stack);
  }
  return tlv(0x06, Buffer.from(out));
}

function utcTime(d: Date): Buffer {
  const p = (n: number) => n.toString().padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

const name = (cn: string): Buffer => seq(set(seq(oid('2.5.4.3'), utf8(cn))));
const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
  seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

const ECDSA_WITH_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

interface CertSpec {
  subject: string;
  issuer: string;
  publicKey: KeyObject;
  signingKey: KeyObject;
  extensions: Buffer[];
}

function buildCertificate(spec: CertSpec): string {
  const notBefore = new Date(Date.now() - 60 * 60 * 1000);
  const notAfter = new Date(Date.now() + 365 * 24 * 60 * 60 * 1000);
  const spki = spec.publicKey.export({ type: 'spki', format: 'der' });
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(randomBytes(16)),
    ECDSA_WITH_SHA256,
    name(spec.issuer),
    seq(utcTime(notBefore), utcTime(notAfter)),
    name(spec.subject),
    spki,
    explicit(3, seq(...spec.extensions)),
  );
  const signature = sign('sha256', tbs, spec.signingKey); // DER ECDSA-Sig-Value
  const der = seq(tbs, ECDSA_WITH_SHA256, bitString(signature));
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}

export interface MediaTlsMaterial {
  /** PEM of the CA to trust (`trustSimulator({ mediaCaPem })`). */
  caPem: string;
  /** Server certificate (SAN IP 127.0.0.1, ::1, DNS localhost) and its private key. */
  certPem: string;
  keyPem: string;
}

export function makeMediaTls(): MediaTlsMaterial {
  const ca = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const leaf = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const caName = 'wa-sim media CA (test only)';
  const caPem = buildCertificate({
    subject: caName,
    issuer: caName,
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    extensions: [
      extension('2.5.29.19', true, seq(bool(true))), // basicConstraints cA
      extension('2.5.29.15', true, bitString(Buffer.from([0x06]), 1)), // keyUsage keyCertSign|cRLSign
    ],
  });
  const san = seq(
    tlv(0x82, Buffer.from('localhost', 'ascii')), // dNSName
    tlv(0x87, Buffer.from([127, 0, 0, 1])), // iPAddress
    tlv(0x87, Buffer.concat([Buffer.alloc(15), Buffer.from([1])])), // ::1
  );
  const certPem = buildCertificate({
    subject: 'wa-sim media host',
    issuer: caName,
    publicKey: leaf.publicKey,
    signingKey: ca.privateKey,
    extensions: [
      extension('2.5.29.19', true, seq()), // not a CA
      extension('2.5.29.15', true, bitString(Buffer.from([0x80]), 7)), // digitalSignature
      extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // serverAuth
      extension('2.5.29.17', false, san),
    ],
  });
  // Sanity check with OpenSSL's parser: throws if the DER is malformed.
  const parsed = new X509Certificate(certPem);
  if (!parsed.verify(new X509Certificate(caPem).publicKey)) throw new Error('media host certificate does not verify');
  const keyPem = createPrivateKey(leaf.privateKey.export({ type: 'pkcs8', format: 'pem' })).export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
  return { caPem, certPem, keyPem };
}
