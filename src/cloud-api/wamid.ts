import { jidUser } from '../messages/recipient';

/**
 * Cloud API message ids (`wamid.…`) for WhatsApp message keys.
 *
 * Meta's wamids are base64 of a Thrift compact-protocol struct that is exactly a WhatsApp
 * message key: `{1: {1: <chat user>, 2: <server>}, 2: <fromMe>, 3: <message id>}` (decode
 * `wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA` to see it). Switchboard builds
 * its ids the same way from the real WhatsApp key, so they look like Meta's, carry the chat
 * and direction, and decode back to the WhatsApp id (`waMessageId` in the native API) for
 * `context.message_id`, reactions, mark-read and status webhooks.
 */
export interface WamidKey {
  chatJid: string;
  fromMe: boolean;
  id: string;
}

const PREFIX = 'wamid.';
const SERVERS: Record<string, number> = { 's.whatsapp.net': 1, 'g.us': 2, lid: 3, broadcast: 4, newsletter: 5 };
const SERVER_NAMES = Object.fromEntries(Object.entries(SERVERS).map(([name, n]) => [n, name]));

// Thrift compact protocol: a field header is (delta << 4) | type.
const T_BOOL_TRUE = 1;
const T_BOOL_FALSE = 2;
const T_I32 = 5;
const T_BINARY = 8;
const T_STRUCT = 12;

export function encodeWamid(key: WamidKey): string {
  const [, server = 's.whatsapp.net'] = key.chatJid.split('@');
  const out: number[] = [];
  out.push((1 << 4) | T_STRUCT);
  out.push((1 << 4) | T_BINARY, ...binary(jidUser(key.chatJid)));
  out.push((1 << 4) | T_I32, ...varint(zigzag(SERVERS[server] ?? 1)));
  out.push(0);
  out.push((1 << 4) | (key.fromMe ? T_BOOL_TRUE : T_BOOL_FALSE));
  out.push((1 << 4) | T_BINARY, ...binary(key.id));
  out.push(0);
  return PREFIX + Buffer.from(out).toString('base64');
}

/** The key inside a wamid this encoding produced (or Meta's), or null for anything else. */
export function decodeWamid(wamid: string): WamidKey | null {
  if (!wamid.startsWith(PREFIX)) return null;
  const body = wamid.slice(PREFIX.length);
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(body)) return null;
  const bytes = Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  const r = new Reader(bytes);
  try {
    if (r.byte() !== ((1 << 4) | T_STRUCT)) return null;
    if (r.byte() !== ((1 << 4) | T_BINARY)) return null;
    const user = r.string();
    let server = 's.whatsapp.net';
    let next = r.byte();
    if (next === ((1 << 4) | T_I32)) {
      server = SERVER_NAMES[unzigzag(r.varint())] ?? server;
      next = r.byte();
    }
    if (next !== 0) return null;
    const flag = r.byte();
    if (flag !== ((1 << 4) | T_BOOL_TRUE) && flag !== ((1 << 4) | T_BOOL_FALSE)) return null;
    if (r.byte() !== ((1 << 4) | T_BINARY)) return null;
    const id = r.string();
    if (!id || !user) return null;
    return { chatJid: `${user}@${server}`, fromMe: flag === ((1 << 4) | T_BOOL_TRUE), id };
  } catch {
    return null;
  }
}

/**
 * The WhatsApp message id a client refers to: a wamid decodes to its key's id; a wamid this
 * server cannot decode keeps its body; anything else (a raw WhatsApp id, a native message
 * uuid) is taken as it is.
 */
export function toMessageRef(value: string): string {
  const key = decodeWamid(value);
  if (key) return key.id;
  return value.startsWith(PREFIX) ? value.slice(PREFIX.length) : value;
}

function binary(value: string): number[] {
  const bytes = Buffer.from(value, 'utf8');
  return [...varint(bytes.length), ...bytes];
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

function zigzag(n: number): number {
  return (n << 1) ^ (n >> 31);
}

function unzigzag(n: number): number {
  return (n >>> 1) ^ -(n & 1);
}

class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  byte(): number {
    if (this.pos >= this.buf.length) throw new Error('eof');
    return this.buf[this.pos++];
  }
  varint(): number {
    let shift = 0;
    let result = 0;
    for (;;) {
      const b = this.byte();
      result |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return result >>> 0;
      shift += 7;
      if (shift > 28) throw new Error('varint too long');
    }
  }
  string(): string {
    const len = this.varint();
    if (this.pos + len > this.buf.length) throw new Error('eof');
    const s = this.buf.subarray(this.pos, this.pos + len).toString('utf8');
    this.pos += len;
    return s;
  }
}
