/**
 * Small helpers around Baileys' own binary-node types (`lib/WABinary`). The simulator
 * speaks exactly the node format Baileys encodes/decodes, so it reuses its codec instead
 * of re-implementing the WhatsApp token dictionary.
 */
import type { BinaryNode } from '@whiskeysockets/baileys';

export type { BinaryNode };

/** The WhatsApp server's own jid: every server-originated stanza comes `from` it. */
export const SERVER_JID = 's.whatsapp.net';

export function children(node: BinaryNode | undefined): BinaryNode[] {
  return node && Array.isArray(node.content) ? (node.content as BinaryNode[]) : [];
}

export function child(node: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return children(node).find((c) => c.tag === tag);
}

export function childrenByTag(node: BinaryNode | undefined, tag: string): BinaryNode[] {
  return children(node).filter((c) => c.tag === tag);
}

/** Raw bytes of a node's content (Baileys decodes binary content as Uint8Array). */
export function bytes(node: BinaryNode | undefined): Buffer | undefined {
  if (!node) return undefined;
  const { content } = node;
  if (content instanceof Uint8Array) return Buffer.from(content);
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  return undefined;
}

export function childBytes(node: BinaryNode | undefined, tag: string): Buffer | undefined {
  return bytes(child(node, tag));
}

export function text(node: BinaryNode | undefined): string | undefined {
  const b = bytes(node);
  return b ? b.toString('utf8') : undefined;
}

/** Big-endian unsigned int of 1..6 bytes (registration ids, pre-key ids). */
export function uintBE(buf: Buffer | undefined): number | undefined {
  if (!buf || buf.length === 0 || buf.length > 6) return undefined;
  return buf.readUIntBE(0, buf.length);
}

export function encodeUintBE(value: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  b.writeUIntBE(value, 0, length);
  return b;
}

/**
 * One-line identity of a stanza used in error reports: tag, xmlns/type and first child,
 * e.g. `iq xmlns=w:m type=set <media_conn>`.
 */
export function describeNode(node: BinaryNode): string {
  const parts = [node.tag];
  const a = node.attrs || {};
  if (a.xmlns) parts.push(`xmlns=${a.xmlns}`);
  if (a.type) parts.push(`type=${a.type}`);
  if (a.class) parts.push(`class=${a.class}`);
  const first = children(node)[0];
  parts.push(first ? `<${first.tag}>` : '(no child)');
  return parts.join(' ');
}

/** `<iq type="result">` answering a client iq (Baileys matches replies by `id`). */
export function iqResult(request: BinaryNode, content?: BinaryNode[]): BinaryNode {
  return {
    tag: 'iq',
    attrs: { from: SERVER_JID, type: 'result', id: request.attrs.id },
    content,
  };
}

/**
 * `<iq type="error"><error code text/></iq>`: Baileys' `query()` turns it into a thrown Boom
 * (`assertNodeErrorFree`), so an unsupported request fails fast on the client instead of
 * hanging for `defaultQueryTimeoutMs`.
 */
export function iqError(request: BinaryNode, code: number, errorText: string): BinaryNode {
  return {
    tag: 'iq',
    attrs: { from: SERVER_JID, type: 'error', id: request.attrs.id },
    content: [{ tag: 'error', attrs: { code: String(code), text: errorText } }],
  };
}

export function unixSeconds(): string {
  return Math.floor(Date.now() / 1000).toString();
}
