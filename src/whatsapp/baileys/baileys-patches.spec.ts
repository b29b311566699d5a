import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addTransactionCapability, Curve, proto, verifyNoiseCertChain, WA_CERT_DETAILS } from '@whiskeysockets/baileys';
import { assertBaileysPatched, assertWhatsAppRootTrusted } from './baileys-patches';

type KeyPair = { public: Uint8Array; private: Uint8Array };

function details(d: { serial: number; issuerSerial: number; key: Uint8Array }): Buffer {
  return Buffer.from(proto.CertChain.NoiseCertificate.Details.encode(d).finish());
}

/** A chain as WhatsApp builds it: root → intermediate (serial 7, issuer 0) → leaf (issuer 7, the static key). */
function chain(opts: { root: KeyPair; staticKey: Uint8Array; intermediateIssuer?: number; leafIssuer?: number; leafSigner?: KeyPair }) {
  const intermediate = Curve.generateKeyPair();
  const intermediateDetails = details({ serial: 7, issuerSerial: opts.intermediateIssuer ?? 0, key: intermediate.public });
  const leafDetails = details({ serial: 8, issuerSerial: opts.leafIssuer ?? 7, key: opts.staticKey });
  return {
    intermediate: { details: intermediateDetails, signature: Buffer.from(Curve.sign(opts.root.private, intermediateDetails)) },
    leaf: { details: leafDetails, signature: Buffer.from(Curve.sign((opts.leafSigner ?? intermediate).private, leafDetails)) },
  };
}

describe('Baileys patches (scripts/patch-baileys.mjs)', () => {
  const root = Curve.generateKeyPair();
  const staticKey = Buffer.from(Curve.generateKeyPair().public);
  const trusted = WA_CERT_DETAILS.PUBLIC_KEY;
  before(() => void (WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(root.public)));
  after(() => void (WA_CERT_DETAILS.PUBLIC_KEY = trusted));

  it('are applied, and applying them again changes nothing', () => {
    assert.doesNotThrow(() => assertBaileysPatched());
    const run = spawnSync(process.execPath, [join(__dirname, '../../../../scripts/patch-baileys.mjs')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /already patched/);
  });

  it('a replaced trusted root is refused unless the connection goes to a simulator', () => {
    // `before` replaced it, as test/wa-sim/trust.ts does.
    assert.throws(() => assertWhatsAppRootTrusted(false), /root key was replaced/);
    assert.doesNotThrow(() => assertWhatsAppRootTrusted(true));
    WA_CERT_DETAILS.PUBLIC_KEY = trusted;
    assert.doesNotThrow(() => assertWhatsAppRootTrusted(false));
    WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(root.public);
  });

  it('Curve.verify is false for a wrong key or a garbage signature', () => {
    const message = Buffer.from('details');
    const signature = Buffer.from(Curve.sign(root.private, message));
    assert.equal(Curve.verify(root.public, message, signature), true);
    assert.equal(Curve.verify(Curve.generateKeyPair().public, message, signature), false);
    assert.equal(Curve.verify(root.public, message, Buffer.alloc(64, 7)), false);
    assert.equal(Curve.verify(root.public, Buffer.from('other details'), signature), false);
    assert.equal(Curve.verify(root.public, message, signature.subarray(0, 10)), false);
  });

  it('accepts the chain from the trusted root to the server static key', () => {
    assert.doesNotThrow(() => verifyNoiseCertChain(chain({ root, staticKey }), staticKey));
  });

  it('refuses every broken link of the chain', () => {
    const cases: [string, proto.ICertChain, RegExp][] = [
      ['another root', chain({ root: Curve.generateKeyPair(), staticKey }), /intermediate certificate signature invalid/],
      ['issuer serial of the intermediate', chain({ root, staticKey, intermediateIssuer: 1 }), /certification match failed/],
      ['leaf not signed by the intermediate', chain({ root, staticKey, leafSigner: Curve.generateKeyPair() }), /noise certificate signature invalid/],
      ['leaf issued by another serial', chain({ root, staticKey, leafIssuer: 3 }), /not issued by the intermediate/],
      ['leaf for another static key', chain({ root, staticKey: Curve.generateKeyPair().public }), /does not match the server static key/],
    ];
    const good = chain({ root, staticKey });
    const tampered = Buffer.from(good.intermediate.details);
    tampered[tampered.length - 1] ^= 1;
    cases.push(['tampered intermediate', { ...good, intermediate: { ...good.intermediate, details: tampered } }, /intermediate certificate signature invalid/]);
    cases.push(['garbage signature', { ...good, leaf: { ...good.leaf, signature: Buffer.alloc(64, 1) } }, /noise certificate signature invalid/]);
    cases.push(['short signature', { ...good, leaf: { ...good.leaf, signature: Buffer.alloc(12) } }, /wrong length/]);
    cases.push(['no leaf', { intermediate: good.intermediate }, /invalid noise leaf certificate/]);
    for (const [name, c, error] of cases) {
      assert.throws(() => verifyNoiseCertChain(c, staticKey), error, name);
    }
  });
});

describe('Baileys patch tx-storage-shared', () => {
  const silent = { level: 'silent', trace() {}, debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } };
  const options = { maxCommitRetries: 1, delayBetweenTriesMs: 1 };
  /** A key store in memory that records what reached it. */
  const memoryStore = () => {
    const data: Record<string, Record<string, unknown>> = {};
    const writes: string[] = [];
    return {
      data,
      writes,
      get: async (type: string, ids: string[]) => Object.fromEntries(ids.filter((id) => data[type]?.[id] !== undefined).map((id) => [id, data[type]![id]])),
      set: async (mutations: Record<string, Record<string, unknown>>) => {
        for (const [type, values] of Object.entries(mutations)) {
          writes.push(...Object.keys(values).map((id) => `${type}:${id}`));
          data[type] = { ...data[type], ...values };
        }
      },
    };
  };

  it('all sockets share one key-transaction storage: promises do not carry one more per socket ever made', async () => {
    // On Node 20 every enabled AsyncLocalStorage puts a symbol on each new promise.
    const storagesOnANewPromise = () => Object.getOwnPropertySymbols(Promise.resolve()).length;
    const first = addTransactionCapability(memoryStore() as never, silent as never, options);
    await first.transaction(async () => undefined, 'warm-up');
    const before = storagesOnANewPromise();
    for (let i = 0; i < 50; i += 1) {
      const keys = addTransactionCapability(memoryStore() as never, silent as never, options);
      await keys.transaction(async () => keys.set({ session: { [`s${i}`]: Buffer.from('k') } } as never), `tx-${i}`);
    }
    assert.equal(storagesOnANewPromise(), before);
  });

  it("a socket's transaction is its own: another socket's key store inside it reads and writes directly", async () => {
    const a = memoryStore();
    const b = memoryStore();
    const keysA = addTransactionCapability(a as never, silent as never, options);
    const keysB = addTransactionCapability(b as never, silent as never, options);
    await keysA.transaction(async () => {
      await keysA.set({ session: { one: Buffer.from('a1') } } as never);
      assert.equal(keysA.isInTransaction(), true);
      assert.equal(keysB.isInTransaction(), false);
      await keysB.set({ session: { two: Buffer.from('b2') } } as never);
      assert.deepEqual(b.writes, ['session:two'], "B's write is not held in A's transaction");
      assert.deepEqual(a.writes, [], "A's write waits for its commit");
      assert.deepEqual(Object.keys(await keysA.get('session', ['one'])), ['one'], 'A reads its own uncommitted write');
      assert.deepEqual(Object.keys(await keysB.get('session', ['one'])), [], "B does not see A's transaction");
    }, 'a');
    assert.deepEqual(a.writes, ['session:one']);
    assert.equal(keysA.isInTransaction(), false);
  });
});
