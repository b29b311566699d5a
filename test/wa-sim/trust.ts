/**
 * TEST-ONLY: make this process trust a WhatsApp simulator instead of WhatsApp.
 *
 * 1. Noise: Baileys checks the server's certificate chain against the mutable, exported
 *    `WA_CERT_DETAILS.PUBLIC_KEY` at handshake time (lib/Utils/noise-handler.js), so we
 *    assign the simulator's root key. `require` and `import` share one module instance,
 *    so the gateway's own Baileys import sees it.
 * 2. Media: uploads go through `https.request` with `agent: config.fetchAgent`
 *    (uploadWithNodeHttp, lib/Utils/messages-media.js) — undefined agent means
 *    `https.globalAgent`; downloads use global `fetch` with `options.dispatcher`
 *    (getHttpStream) — undefined means undici's global dispatcher. We add the simulator's
 *    CA to both, keeping the normal public roots.
 *
 * Never import this from production code: it makes the whole process accept the
 * simulator as WhatsApp.
 */
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { WA_CERT_DETAILS } from '@whiskeysockets/baileys';

export interface SimulatorTrust {
  /** Hex root public key printed by the simulator (`rootPublicKey`). */
  rootPublicKey: string;
  /** PEM of the simulator's media CA; omit when no media is sent. */
  mediaCaPem?: string;
}

export interface AppliedTrust {
  /** An https.Agent trusting the media host: pass as Baileys `fetchAgent` if you set one. */
  httpsAgent?: https.Agent;
  /** An undici dispatcher trusting the media host (for `fetch(url, { dispatcher })`). */
  dispatcher?: unknown;
  /** Restore the previous root key, global agent CA and fetch dispatcher. */
  restore(): void;
}

const UNDICI_GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

type DispatcherCtor = new (opts: { connect: { ca: string[] } }) => unknown;

/**
 * Node bundles undici for `fetch` but does not export its Agent. Calling fetch once makes
 * undici install its default global dispatcher (synchronously), whose constructor is that
 * Agent class; we build a second one with our CA list. (`Symbol.for('undici.globalDispatcher.1')`
 * is undici's documented cross-copy hook, used by its own setGlobalDispatcher.)
 */
function undiciAgentClass(): DispatcherCtor | undefined {
  const g = globalThis as unknown as Record<symbol, unknown>;
  if (!g[UNDICI_GLOBAL_DISPATCHER]) {
    void fetch('data:,').catch(() => undefined);
  }
  const current = g[UNDICI_GLOBAL_DISPATCHER] as { constructor?: DispatcherCtor } | undefined;
  return current?.constructor;
}

export function trustSimulator(trust: SimulatorTrust): AppliedTrust {
  if (!/^[0-9a-f]{64}$/i.test(trust.rootPublicKey)) {
    throw new Error('rootPublicKey must be 64 hex characters (32-byte Curve25519 key)');
  }
  const previousKey = WA_CERT_DETAILS.PUBLIC_KEY;
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(trust.rootPublicKey, 'hex');

  if (!trust.mediaCaPem) {
    return { restore: () => void (WA_CERT_DETAILS.PUBLIC_KEY = previousKey) };
  }

  const ca = [...rootCertificates, trust.mediaCaPem];
  const globalOptions = https.globalAgent.options as https.AgentOptions;
  const previousCa = globalOptions.ca;
  globalOptions.ca = ca;
  const httpsAgent = new https.Agent({ ca, keepAlive: false });

  const g = globalThis as unknown as Record<symbol, unknown>;
  const Agent = undiciAgentClass();
  const previousDispatcher = g[UNDICI_GLOBAL_DISPATCHER];
  let dispatcher: unknown;
  if (Agent) {
    dispatcher = new Agent({ connect: { ca } });
    g[UNDICI_GLOBAL_DISPATCHER] = dispatcher;
  }

  return {
    httpsAgent,
    dispatcher,
    restore() {
      WA_CERT_DETAILS.PUBLIC_KEY = previousKey;
      globalOptions.ca = previousCa;
      if (Agent) g[UNDICI_GLOBAL_DISPATCHER] = previousDispatcher;
      httpsAgent.destroy();
      const closable = dispatcher as { close?: () => Promise<void> } | undefined;
      void closable?.close?.().catch(() => undefined);
    },
  };
}
