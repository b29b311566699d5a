#!/usr/bin/env node
/**
 * Applies Switchboard's four fixes to @whiskeysockets/baileys 7.0.0-rc14 in node_modules.
 * Runs as the `postinstall` script, so `npm install` and `npm ci` apply it on every machine
 * (and in the Docker build). Why, and how to drop it on an upgrade: docs/baileys-patches.md.
 *
 * 1. receipt-after-commit (lib/Socket/messages-recv.js, lib/Types/Socket.d.ts,
 *    lib/Defaults/index.js): `handleMessage` sends the delivery receipt before the message
 *    reaches `messages.upsert`, so a crash in between loses a message the sender saw as
 *    delivered. The patch adds the socket option `onMessageBeforeReceipt(msg)`: awaited
 *    before the receipt (or the newsletter ack) of every decrypted, non-stub message, with a
 *    cleaned copy of the message. When it throws, no receipt is sent and Baileys nacks the
 *    stanza, so the server delivers it again.
 * 2. status-receipt-before-ack (lib/Socket/messages-recv.js, lib/Types/Socket.d.ts,
 *    lib/Defaults/index.js): `handleReceipt` emits `messages.update` for a delivery/read
 *    receipt of our own message and acks the receipt right away, so a crash before the status
 *    is stored loses it (the server does not send an acked receipt again). The patch adds the
 *    socket option `onReceiptBeforeAck(updates)`: awaited with the status updates of each 1:1
 *    receipt before `messages.update` and the ack. When it throws, no ack is sent, and the
 *    server delivers the receipt again after the next login.
 * 3. noise-cert-verify (lib/Utils/crypto.js, lib/Utils/noise-handler.js): `Curve.verify`
 *    returned true whatever libsignal's `verifySignature` answered (it returns a boolean, it
 *    does not throw), so the Noise server certificate chain (and the ADV account signature at
 *    pairing) were never really checked. The patch returns the result, and checks the whole
 *    chain: intermediate signed by the trusted root with issuer serial 0, leaf signed by the
 *    intermediate and issued by its serial, leaf key equal to the server's Noise static key.
 *
 * 4. tx-storage-shared (lib/Utils/auth-utils.js): every socket makes an AsyncLocalStorage for
 *    its key transactions and never disables it. On Node 20 each enabled storage stays in a
 *    process-wide list whose every entry is copied onto every new promise, so a process with
 *    hundreds of sockets (sessions, reconnects) spends a large share of its CPU and heap on
 *    that. The patch makes all sockets share one storage, each seeing only its own transactions.
 *
 * Each change is an exact text replacement. A file already patched is left alone; a file
 * whose original text is not found exactly once (another Baileys version) stops the install
 * with an error naming it: review the patch for that version instead of shipping without it.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXPECTED_VERSION = '7.0.0-rc14';
const MARK = 'switchboard-patch';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

function baileysRoot() {
  const candidates = [join(projectRoot, 'node_modules', '@whiskeysockets', 'baileys')];
  try {
    const require = createRequire(join(projectRoot, 'package.json'));
    candidates.unshift(dirname(require.resolve('@whiskeysockets/baileys/package.json')));
  } catch {
    // Resolution through "exports" may refuse package.json; the plain path is tried next.
  }
  return candidates.find((dir) => existsSync(join(dir, 'package.json')));
}

/** [file, [original, replacement], ...] — originals are copied verbatim from rc14. */
const PATCHES = [
  {
    name: 'receipt-after-commit',
    file: 'lib/Socket/messages-recv.js',
    original: `    const { logger, retryRequestDelayMs, maxMsgRetryCount, getMessage, shouldIgnoreJid, enableAutoSessionRecreation } = config;\n`,
    replacement:
      `    const { logger, retryRequestDelayMs, maxMsgRetryCount, getMessage, shouldIgnoreJid, enableAutoSessionRecreation } = config;\n` +
      `    // ${MARK} receipt-after-commit: see scripts/patch-baileys.mjs and docs/baileys-patches.md\n` +
      `    const { onMessageBeforeReceipt } = config;\n`,
  },
  {
    name: 'receipt-after-commit',
    file: 'lib/Socket/messages-recv.js',
    original:
      `                else {\n` +
      `                    if (messageRetryManager && msg.key.id) {\n` +
      `                        messageRetryManager.cancelPendingPhoneRequest(msg.key.id);\n` +
      `                    }\n`,
    replacement:
      `                else {\n` +
      `                    // ${MARK} receipt-after-commit: the application stores the message before\n` +
      `                    // WhatsApp hears it was delivered. It gets a cleaned copy (jids normalised as in\n` +
      `                    // messages.upsert) and leaves \`msg\` as the receipt below needs it. A throw skips\n` +
      `                    // the receipt; the catch below nacks the stanza and the server delivers it again.\n` +
      `                    if (onMessageBeforeReceipt) {\n` +
      `                        const copy = { ...msg, key: { ...msg.key }, message: msg.message ? proto.Message.decode(proto.Message.encode(msg.message).finish()) : msg.message };\n` +
      `                        cleanMessage(copy, authState.creds.me.id, authState.creds.me.lid);\n` +
      `                        await onMessageBeforeReceipt(copy);\n` +
      `                    }\n` +
      `                    if (messageRetryManager && msg.key.id) {\n` +
      `                        messageRetryManager.cancelPendingPhoneRequest(msg.key.id);\n` +
      `                    }\n`,
  },
  {
    name: 'receipt-after-commit',
    file: 'lib/Defaults/index.js',
    original: `    waWebSocketUrl: 'wss://web.whatsapp.com/ws/chat',\n`,
    replacement:
      `    waWebSocketUrl: 'wss://web.whatsapp.com/ws/chat',\n` +
      `    // ${MARK} receipt-after-commit: present (undefined) so applications can tell the patch is applied\n` +
      `    onMessageBeforeReceipt: undefined,\n`,
  },
  {
    name: 'receipt-after-commit',
    file: 'lib/Types/Socket.d.ts',
    original: `    getMessage: (key: WAMessageKey) => Promise<proto.IMessage | undefined>;\n`,
    replacement:
      `    getMessage: (key: WAMessageKey) => Promise<proto.IMessage | undefined>;\n` +
      `    /**\n` +
      `     * ${MARK} receipt-after-commit: awaited before the delivery receipt of each decrypted,\n` +
      `     * non-stub message (with a cleaned copy of it). Throw to withhold the receipt: the\n` +
      `     * stanza is nacked and the server delivers the message again.\n` +
      `     */\n` +
      `    onMessageBeforeReceipt?: (msg: proto.IWebMessageInfo) => Promise<void>;\n`,
  },
  {
    name: 'status-receipt-before-ack',
    file: 'lib/Socket/messages-recv.js',
    original: `    const { onMessageBeforeReceipt } = config;\n`,
    replacement:
      `    const { onMessageBeforeReceipt } = config;\n` +
      `    // ${MARK} status-receipt-before-ack: see scripts/patch-baileys.mjs and docs/baileys-patches.md\n` +
      `    const { onReceiptBeforeAck } = config;\n`,
  },
  {
    name: 'status-receipt-before-ack',
    file: 'lib/Socket/messages-recv.js',
    original:
      `                        else {\n` +
      `                            ev.emit('messages.update', ids.map(id => ({\n` +
      `                                key: { ...key, id },\n` +
      `                                update: { status, messageTimestamp: toNumber(+(attrs.t ?? 0)) }\n` +
      `                            })));\n` +
      `                        }\n`,
    replacement:
      `                        else {\n` +
      `                            const updates = ids.map(id => ({\n` +
      `                                key: { ...key, id },\n` +
      `                                update: { status, messageTimestamp: toNumber(+(attrs.t ?? 0)) }\n` +
      `                            }));\n` +
      `                            // ${MARK} status-receipt-before-ack: the application stores the statuses\n` +
      `                            // before the server hears the receipt arrived. A throw withholds the ack\n` +
      `                            // (see the finally below): the server delivers the receipt again.\n` +
      `                            if (onReceiptBeforeAck) {\n` +
      `                                try {\n` +
      `                                    await onReceiptBeforeAck(updates.map(u => ({ key: { ...u.key }, update: { ...u.update } })));\n` +
      `                                }\n` +
      `                                catch (error) {\n` +
      `                                    receiptWithheld = true;\n` +
      `                                    throw error;\n` +
      `                                }\n` +
      `                            }\n` +
      `                            ev.emit('messages.update', updates);\n` +
      `                        }\n`,
  },
  {
    name: 'status-receipt-before-ack',
    file: 'lib/Socket/messages-recv.js',
    original:
      `        const ids = [attrs.id];\n` +
      `        if (Array.isArray(content)) {\n` +
      `            const items = getBinaryNodeChildren(content[0], 'item');\n`,
    replacement:
      `        const ids = [attrs.id];\n` +
      `        // ${MARK} status-receipt-before-ack: set when onReceiptBeforeAck threw\n` +
      `        let receiptWithheld = false;\n` +
      `        if (Array.isArray(content)) {\n` +
      `            const items = getBinaryNodeChildren(content[0], 'item');\n`,
  },
  {
    name: 'status-receipt-before-ack',
    file: 'lib/Socket/messages-recv.js',
    original:
      `        finally {\n` +
      `            await sendMessageAck(node).catch(ackErr => logger.error({ ackErr }, 'failed to ack receipt'));\n` +
      `        }\n`,
    replacement:
      `        finally {\n` +
      `            // ${MARK} status-receipt-before-ack: no ack for a receipt the application could not store\n` +
      `            if (!receiptWithheld) {\n` +
      `                await sendMessageAck(node).catch(ackErr => logger.error({ ackErr }, 'failed to ack receipt'));\n` +
      `            }\n` +
      `        }\n`,
  },
  {
    name: 'status-receipt-before-ack',
    file: 'lib/Defaults/index.js',
    original: `    onMessageBeforeReceipt: undefined,\n`,
    replacement:
      `    onMessageBeforeReceipt: undefined,\n` +
      `    // ${MARK} status-receipt-before-ack: present (undefined) so applications can tell the patch is applied\n` +
      `    onReceiptBeforeAck: undefined,\n`,
  },
  {
    name: 'status-receipt-before-ack',
    file: 'lib/Types/Socket.d.ts',
    original: `    onMessageBeforeReceipt?: (msg: proto.IWebMessageInfo) => Promise<void>;\n`,
    replacement:
      `    onMessageBeforeReceipt?: (msg: proto.IWebMessageInfo) => Promise<void>;\n` +
      `    /**\n` +
      `     * ${MARK} status-receipt-before-ack: awaited with the status updates of each 1:1\n` +
      `     * delivery/read/played receipt (the \`messages.update\` that follows) before the receipt\n` +
      `     * is acknowledged to the server. Throw to withhold the ack: the server delivers the\n` +
      `     * receipt again (after the next login).\n` +
      `     */\n` +
      `    onReceiptBeforeAck?: (updates: { key: WAMessageKey; update: Partial<proto.IWebMessageInfo> }[]) => Promise<void>;\n`,
  },
  {
    name: 'noise-cert-verify',
    file: 'lib/Utils/crypto.js',
    original:
      `        try {\n` +
      `            curve.verifySignature(generateSignalPubKey(pubKey), message, signature);\n` +
      `            return true;\n` +
      `        }\n`,
    replacement:
      `        try {\n` +
      `            // ${MARK} noise-cert-verify: libsignal returns false for a bad signature (it throws\n` +
      `            // only for malformed input); the result used to be ignored.\n` +
      `            return curve.verifySignature(generateSignalPubKey(pubKey), message, signature) === true;\n` +
      `        }\n`,
  },
  {
    name: 'noise-cert-verify',
    file: 'lib/Utils/noise-handler.js',
    original:
      `            const details = proto.CertChain.NoiseCertificate.Details.decode(certIntermediate.details);\n` +
      `            const { issuerSerial } = details;\n` +
      `            const verify = Curve.verify(details.key, leaf.details, leaf.signature);\n` +
      `            const verifyIntermediate = Curve.verify(WA_CERT_DETAILS.PUBLIC_KEY, certIntermediate.details, certIntermediate.signature);\n` +
      `            if (!verify) {\n` +
      `                throw new Boom('noise certificate signature invalid', { statusCode: 400 });\n` +
      `            }\n` +
      `            if (!verifyIntermediate) {\n` +
      `                throw new Boom('noise intermediate certificate signature invalid', { statusCode: 400 });\n` +
      `            }\n` +
      `            if (issuerSerial !== WA_CERT_DETAILS.SERIAL) {\n` +
      `                throw new Boom('certification match failed', { statusCode: 400 });\n` +
      `            }\n`,
    replacement:
      `            // ${MARK} noise-cert-verify: the whole chain, up to the Noise static key.\n` +
      `            verifyNoiseCertChain({ intermediate: certIntermediate, leaf }, decStaticContent);\n`,
  },
  {
    name: 'noise-cert-verify',
    file: 'lib/Utils/noise-handler.js',
    original: `export const makeNoiseHandler = (`,
    replacement:
      `/**\n` +
      ` * ${MARK} noise-cert-verify: checks the server's certificate chain (as whatsmeow's\n` +
      ` * verifyServerCert does): the intermediate is signed by the trusted root\n` +
      ` * (WA_CERT_DETAILS.PUBLIC_KEY) and issued by its serial (WA_CERT_DETAILS.SERIAL); the leaf\n` +
      ` * is signed by the intermediate's key and issued by its serial; the leaf's key is the\n` +
      ` * server's Noise static key. Throws a Boom 400 naming the failed check.\n` +
      ` */\n` +
      `export const verifyNoiseCertChain = ({ intermediate, leaf }, serverStaticKey) => {\n` +
      `    const fail = (message) => {\n` +
      `        throw new Boom(message, { statusCode: 400 });\n` +
      `    };\n` +
      `    if (!leaf?.details || !leaf?.signature) fail('invalid noise leaf certificate');\n` +
      `    if (!intermediate?.details || !intermediate?.signature) fail('invalid noise intermediate certificate');\n` +
      `    if (intermediate.signature.length !== 64 || leaf.signature.length !== 64) fail('noise certificate signature has the wrong length');\n` +
      `    if (!Curve.verify(WA_CERT_DETAILS.PUBLIC_KEY, intermediate.details, intermediate.signature)) {\n` +
      `        fail('noise intermediate certificate signature invalid');\n` +
      `    }\n` +
      `    const intermediateDetails = proto.CertChain.NoiseCertificate.Details.decode(intermediate.details);\n` +
      `    if ((intermediateDetails.issuerSerial ?? 0) !== WA_CERT_DETAILS.SERIAL) fail('certification match failed');\n` +
      `    if (intermediateDetails.key?.length !== 32) fail('noise intermediate certificate key has the wrong length');\n` +
      `    if (!Curve.verify(intermediateDetails.key, leaf.details, leaf.signature)) {\n` +
      `        fail('noise certificate signature invalid');\n` +
      `    }\n` +
      `    const leafDetails = proto.CertChain.NoiseCertificate.Details.decode(leaf.details);\n` +
      `    if ((leafDetails.issuerSerial ?? 0) !== (intermediateDetails.serial ?? 0)) fail('noise leaf certificate not issued by the intermediate');\n` +
      `    if (!serverStaticKey || !leafDetails.key || Buffer.compare(Buffer.from(leafDetails.key), Buffer.from(serverStaticKey)) !== 0) {\n` +
      `        fail('noise certificate key does not match the server static key');\n` +
      `    }\n` +
      `};\n` +
      `export const makeNoiseHandler = (`,
  },
  {
    name: 'noise-cert-verify',
    file: 'lib/Utils/noise-handler.d.ts',
    original: `export declare const makeNoiseHandler: `,
    replacement:
      `/** ${MARK} noise-cert-verify: throws a Boom 400 unless the chain leads from the trusted root to serverStaticKey. */\n` +
      `export declare const verifyNoiseCertChain: (chain: proto.ICertChain, serverStaticKey: Uint8Array) => void;\n` +
      `export declare const makeNoiseHandler: `,
  },
  {
    name: 'tx-storage-shared',
    file: 'lib/Utils/auth-utils.js',
    original: `import { AsyncLocalStorage } from 'async_hooks';\n`,
    replacement:
      `import { AsyncLocalStorage } from 'async_hooks';\n` +
      `// ${MARK} tx-storage-shared: one storage for the key transactions of every socket (see below).\n` +
      `const sharedTxStorage = new AsyncLocalStorage();\n`,
  },
  {
    name: 'tx-storage-shared',
    file: 'lib/Utils/auth-utils.js',
    original: `    const txStorage = new AsyncLocalStorage();\n`,
    replacement:
      `    // ${MARK} tx-storage-shared: every socket made its own AsyncLocalStorage, and on Node 20 each\n` +
      `    // enabled one is copied onto every promise the process creates, for ever (nothing disables\n` +
      `    // it). All sockets share one storage instead; each sees only the transactions it opened.\n` +
      `    const txOwner = {};\n` +
      `    const txStorage = {\n` +
      `        getStore: () => {\n` +
      `            const entry = sharedTxStorage.getStore();\n` +
      `            return entry !== undefined && entry.owner === txOwner ? entry.ctx : undefined;\n` +
      `        },\n` +
      `        run: (ctx, work) => sharedTxStorage.run({ owner: txOwner, ctx }, work)\n` +
      `    };\n`,
  },
];

function main() {
  const root = baileysRoot();
  if (!root) {
    // Installs that leave Baileys out (none today) have nothing to patch.
    console.warn('[patch-baileys] @whiskeysockets/baileys is not installed; nothing to patch');
    return;
  }
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const pending = new Map();
  const errors = [];
  let applied = 0;
  for (const patch of PATCHES) {
    const path = join(root, patch.file);
    const text = pending.get(path) ?? readFileSync(path, 'utf8');
    if (text.includes(patch.replacement)) continue;
    const count = text.split(patch.original).length - 1;
    if (count !== 1) {
      errors.push(`${patch.name}: ${patch.file}: the original text occurs ${count} times (expected once)`);
      continue;
    }
    pending.set(path, text.replace(patch.original, () => patch.replacement));
    applied += 1;
  }
  if (errors.length) {
    throw new Error(
      `[patch-baileys] cannot patch @whiskeysockets/baileys ${version} (written for ${EXPECTED_VERSION}):\n  ` +
        `${errors.join('\n  ')}\nSee docs/baileys-patches.md before upgrading Baileys.`,
    );
  }
  for (const [path, text] of pending) {
    writeFileSync(`${path}.switchboard-tmp`, text);
    renameSync(`${path}.switchboard-tmp`, path);
  }
  console.log(
    applied
      ? `[patch-baileys] patched @whiskeysockets/baileys ${version}: ${applied} change(s) (receipt-after-commit, status-receipt-before-ack, noise-cert-verify, tx-storage-shared)`
      : `[patch-baileys] @whiskeysockets/baileys ${version} already patched`,
  );
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
