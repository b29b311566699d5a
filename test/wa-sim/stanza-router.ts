/**
 * Dispatches decoded client stanzas to handlers by (tag, xmlns, first child).
 *
 * A stanza no handler claims is an error, never silently dropped: it is recorded in the
 * ErrorLog and, when it is an `<iq>` (Baileys awaits a reply with `query()`), answered with
 * `<iq type="error" code="501">` so the Baileys call fails immediately and visibly instead
 * of waiting 60 s (`defaultQueryTimeoutMs`).
 */
import { children, describeNode, iqError, type BinaryNode } from './binary-node';
import type { ErrorLog } from './error-log';

export interface StanzaKey {
  tag: string;
  /** iq namespace (`xmlns` attribute); omit for non-iq stanzas. */
  xmlns?: string;
  /** Tag of the first child; `*` (or omitted) matches any, `''` matches "no child". */
  child?: string;
}

export type StanzaHandler<C> = (node: BinaryNode, ctx: C) => void | Promise<void>;

export interface RouterContext {
  /** Send a node back on the connection the stanza came from. */
  reply(node: BinaryNode): void;
  /** Label for error reports, e.g. `15550001111:3`. */
  deviceLabel?: string;
}

function keyOf(tag: string, xmlns: string, childTag: string): string {
  return `${tag}\u0000${xmlns}\u0000${childTag}`;
}

export class StanzaRouter<C extends RouterContext> {
  private readonly handlers = new Map<string, StanzaHandler<C>>();

  constructor(private readonly errors: ErrorLog) {}

  on(key: StanzaKey, handler: StanzaHandler<C>): this {
    this.handlers.set(keyOf(key.tag, key.xmlns ?? '*', key.child ?? '*'), handler);
    return this;
  }

  /** Find the most specific handler: exact child, then any child; exact xmlns, then any. */
  resolve(node: BinaryNode): StanzaHandler<C> | undefined {
    const xmlns = node.attrs?.xmlns ?? '';
    const first = children(node)[0]?.tag ?? '';
    return (
      this.handlers.get(keyOf(node.tag, xmlns, first)) ??
      this.handlers.get(keyOf(node.tag, xmlns, '*')) ??
      this.handlers.get(keyOf(node.tag, '*', first)) ??
      this.handlers.get(keyOf(node.tag, '*', '*'))
    );
  }

  async dispatch(node: BinaryNode, ctx: C): Promise<void> {
    const handler = this.resolve(node);
    if (!handler) {
      this.errors.record('unknown-stanza', `no simulator handler for ${describeNode(node)}`, {
        stanza: describeNode(node),
        device: ctx.deviceLabel,
      });
      if (node.tag === 'iq' && node.attrs.id && node.attrs.type !== 'result' && node.attrs.type !== 'error') {
        ctx.reply(iqError(node, 501, 'feature-not-implemented'));
      }
      return;
    }
    try {
      await handler(node, ctx);
    } catch (err) {
      const message = err instanceof Error ? err.stack || err.message : String(err);
      this.errors.record('handler-failed', message, { stanza: describeNode(node), device: ctx.deviceLabel });
      if (node.tag === 'iq' && node.attrs.id && node.attrs.type !== 'result' && node.attrs.type !== 'error') {
        ctx.reply(iqError(node, 500, 'internal-server-error'));
      }
    }
  }
}
