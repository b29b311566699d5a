/**
 * Answers to the iqs Baileys sends once connected. Each handler names the Baileys code
 * that sends the request and what it reads from the reply.
 */
import { createHash } from 'node:crypto';
import type { Account, Directory, LinkedDevice, Resolved } from './account-store';
import {
  child,
  childBytes,
  children,
  childrenByTag,
  iqError,
  iqResult,
  text,
  uintBE,
  unixSeconds,
  type BinaryNode,
} from './binary-node';
import type { DeviceConnection } from './device-connection';
import type { ErrorLog } from './error-log';
import { bundleToUserNode, type PreKeyBundle } from './signal-party';
import type { RouterContext, StanzaRouter } from './stanza-router';

export interface ConnContext extends RouterContext {
  conn: DeviceConnection;
}

/** What the iq handlers need from the simulator. */
export interface IqHost {
  directory: Directory;
  errors: ErrorLog;
  mediaHostname(): string;
  /** PN lookups of unknown numbers create contacts when `autoCreateContacts` is on. */
  lookupPhone(phoneNumber: string): Resolved | undefined;
  /** `remove-companion-device` from `sock.logout()`. */
  forgetDevice(account: Account, deviceId: number): void;
  /** `link_code_companion_reg` from `sock.requestPairingCode()`. */
  onLinkCodeCompanionReg(conn: DeviceConnection, iq: BinaryNode): void;
}

function loggedIn(ctx: ConnContext): { account: Account; device: LinkedDevice } {
  const { account, deviceId } = ctx.conn;
  const device = account && deviceId !== undefined ? account.devices.get(deviceId) : undefined;
  if (!account || !device) throw new Error('iq requires a logged-in device');
  return { account, device };
}

/** Parse an `<skey>` (xmppSignedPreKey) node. */
function parseSignedPreKey(skey: BinaryNode | undefined): LinkedDevice['signedPreKey'] | undefined {
  const id = uintBE(childBytes(skey, 'id'));
  const pub = childBytes(skey, 'value');
  const sig = childBytes(skey, 'signature');
  if (id === undefined || !pub || !sig) return undefined;
  return { keyId: id, public: pub, signature: sig };
}

export function registerIqHandlers(router: StanzaRouter<ConnContext>, host: IqHost): void {
  // ---- Signal keys ---------------------------------------------------------------------

  // uploadPreKeysToServerIfRequired → getAvailablePreKeysOnServer (lib/Socket/socket.js):
  // reads <count value>; 0 makes Baileys upload INITIAL_PREKEY_COUNT keys before `open`.
  router.on({ tag: 'iq', xmlns: 'encrypt', child: 'count' }, (node, ctx) => {
    const { device } = loggedIn(ctx);
    ctx.reply(iqResult(node, [{ tag: 'count', attrs: { value: String(device.preKeys.size) } }]));
  });

  // uploadPreKeys → getNextPreKeysNode (lib/Utils/signal.js): registration, type, identity,
  // list of one-time pre-keys, signed pre-key. We keep them to hand out as bundles.
  router.on({ tag: 'iq', xmlns: 'encrypt', child: 'registration' }, (node, ctx) => {
    const { device } = loggedIn(ctx);
    const registrationId = uintBE(childBytes(node, 'registration'));
    const identity = childBytes(node, 'identity');
    const skey = parseSignedPreKey(child(node, 'skey'));
    if (registrationId === undefined || !identity || !skey) throw new Error('malformed pre-key upload');
    if (!identity.equals(device.identityPublic)) {
      host.errors.record('protocol', 'pre-key upload carries an identity key different from the one registered', {
        device: ctx.deviceLabel,
      });
    }
    device.registrationId = registrationId;
    device.signedPreKey = skey;
    for (const key of childrenByTag(child(node, 'list'), 'key')) {
      const id = uintBE(childBytes(key, 'id'));
      const pub = childBytes(key, 'value');
      if (id !== undefined && pub) device.preKeys.set(id, pub);
    }
    ctx.reply(iqResult(node));
  });

  // rotateSignedPreKey (lib/Socket/socket.js).
  router.on({ tag: 'iq', xmlns: 'encrypt', child: 'rotate' }, (node, ctx) => {
    const { device } = loggedIn(ctx);
    const skey = parseSignedPreKey(child(child(node, 'rotate'), 'skey'));
    if (!skey) throw new Error('malformed signed pre-key rotation');
    device.signedPreKey = skey;
    ctx.reply(iqResult(node));
  });

  // digestKeyBundle (lib/Socket/socket.js): only checks that a <digest> child exists;
  // without one it re-uploads pre-keys.
  router.on({ tag: 'iq', xmlns: 'encrypt', child: 'digest' }, (node, ctx) => {
    const { device } = loggedIn(ctx);
    const ids = [...device.preKeys.keys()];
    const hash = createHash('sha1')
      .update(device.identityPublic)
      .update(device.signedPreKey.public)
      .update(Buffer.from(ids.join(',')))
      .digest();
    ctx.reply(
      iqResult(node, [
        {
          tag: 'digest',
          attrs: {},
          content: [
            { tag: 'type', attrs: {}, content: Buffer.from([5]) },
            { tag: 'identity', attrs: {}, content: device.identityPublic },
            { tag: 'hash', attrs: {}, content: hash },
          ],
        },
      ]),
    );
  });

  // assertSessions (lib/Socket/messages-send.js) → parseAndInjectE2ESessions
  // (lib/Utils/signal.js): one <user jid> per requested device with registration, type,
  // identity, skey and (while any are left) one one-time <key>.
  router.on({ tag: 'iq', xmlns: 'encrypt', child: 'key' }, async (node, ctx) => {
    loggedIn(ctx);
    const users: BinaryNode[] = [];
    for (const user of childrenByTag(child(node, 'key'), 'user')) {
      const jid = user.attrs.jid;
      const r = host.directory.resolve(jid);
      let bundle: PreKeyBundle | undefined;
      if (r?.kind === 'contact' && r.device === 0) bundle = await r.contact.party.takeBundle();
      else if (r?.kind === 'account' && r.device === 0) bundle = await r.account.phone.party.takeBundle();
      else if (r?.kind === 'account') bundle = r.account.takeDeviceBundle(r.device);
      if (bundle) users.push(bundleToUserNode(jid, bundle));
      else users.push({ tag: 'user', attrs: { jid }, content: [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }] });
    }
    ctx.reply(iqResult(node, [{ tag: 'list', attrs: {}, content: users }]));
  });

  // ---- Session housekeeping ------------------------------------------------------------

  // sendPassiveIq('active') right after <success> (lib/Socket/socket.js).
  router.on({ tag: 'iq', xmlns: 'passive', child: '*' }, (node, ctx) => ctx.reply(iqResult(node)));

  // Keep-alive (startKeepAliveRequest): any reply resets Baileys' lastDateRecv.
  router.on({ tag: 'iq', xmlns: 'w:p', child: 'ping' }, (node, ctx) => ctx.reply(iqResult(node)));

  // fetchProps (lib/Socket/chats.js): <props hash><prop name value/>…</props>.
  router.on({ tag: 'iq', xmlns: 'abt', child: 'props' }, (node, ctx) =>
    ctx.reply(
      iqResult(node, [
        {
          tag: 'props',
          attrs: { protocol: '1', hash: 'wa-sim-props-1' },
          content: [{ tag: 'prop', attrs: { name: 'wa_sim', value: '1' } }],
        },
      ]),
    ),
  );

  // fetchBlocklist (lib/Socket/chats.js): <list><item jid/>…</list>.
  router.on({ tag: 'iq', xmlns: 'blocklist', child: '' }, (node, ctx) =>
    ctx.reply(iqResult(node, [{ tag: 'list', attrs: {} }])),
  );

  // fetchPrivacySettings (lib/Socket/chats.js): reduceBinaryNodeToDictionary(<privacy>, 'category').
  // readreceipts=all makes sock.readMessages() send type="read" receipts.
  router.on({ tag: 'iq', xmlns: 'privacy', child: 'privacy' }, (node, ctx) => {
    if (node.attrs.type === 'set') return ctx.reply(iqResult(node));
    const categories: Array<[string, string]> = [
      ['last', 'all'],
      ['online', 'all'],
      ['profile', 'all'],
      ['status', 'all'],
      ['groupadd', 'all'],
      ['readreceipts', 'all'],
      ['calladd', 'all'],
      ['messages', 'all'],
    ];
    ctx.reply(
      iqResult(node, [
        { tag: 'privacy', attrs: {}, content: categories.map(([name, value]) => ({ tag: 'category', attrs: { name, value } })) },
      ]),
    );
  });

  // issuePrivacyTokens (lib/Socket/messages-send.js), fire-and-forget after a 1:1 send.
  // An empty result stores nothing (storeTcTokensFromIqResult needs <tokens>).
  router.on({ tag: 'iq', xmlns: 'privacy', child: 'tokens' }, (node, ctx) => ctx.reply(iqResult(node)));

  // refreshMediaConn (lib/Socket/messages-send.js): hosts used as https://HOST/mms/… for
  // uploads (getWAUploadToServer, lib/Utils/messages-media.js). We point at our media host.
  router.on({ tag: 'iq', xmlns: 'w:m', child: 'media_conn' }, (node, ctx) =>
    ctx.reply(
      iqResult(node, [
        {
          tag: 'media_conn',
          attrs: { auth: 'wa-sim-media-auth', ttl: '3600', auth_ttl: '21600', max_buckets: '12' },
          content: [{ tag: 'host', attrs: { hostname: host.mediaHostname(), maxContentLengthBytes: '104857600' } }],
        },
      ]),
    ),
  );

  // updateProfileStatus (lib/Socket/chats.js): <iq xmlns=status type=set><status>text</status>.
  router.on({ tag: 'iq', xmlns: 'status', child: 'status' }, (node, ctx) => {
    const { account } = loggedIn(ctx);
    const status = child(node, 'status');
    const content = status?.content;
    account.about = Buffer.isBuffer(content) || content instanceof Uint8Array ? Buffer.from(content).toString('utf8') : typeof content === 'string' ? content : '';
    account.aboutSetAt = Math.floor(Date.now() / 1000);
    ctx.reply(iqResult(node));
  });

  // getBusinessProfile (lib/Socket/business.js): simulated accounts are personal accounts, so
  // the answer has no <profile> (Baileys then returns undefined).
  router.on({ tag: 'iq', xmlns: 'w:biz', child: 'business_profile' }, (node, ctx) => {
    loggedIn(ctx);
    ctx.reply(iqResult(node, [{ tag: 'business_profile', attrs: {} }]));
  });

  // sendWAMBuffer (lib/Socket/socket.js) telemetry.
  router.on({ tag: 'iq', xmlns: 'w:stats', child: '*' }, (node, ctx) => ctx.reply(iqResult(node)));

  // profilePictureUrl (lib/Socket/chats.js): nobody has a picture here; WhatsApp answers
  // 404 item-not-found, which Baileys throws as Boom with data 404.
  router.on({ tag: 'iq', xmlns: 'w:profile:picture', child: 'picture' }, (node, ctx) =>
    ctx.reply(iqError(node, 404, 'item-not-found')),
  );

  // resyncAppState (lib/Socket/chats.js), run after a processed history sync: one
  // <collection name version> per requested collection, with no patches and no snapshot
  // (nothing to sync), so each collection is done at its current version.
  router.on({ tag: 'iq', xmlns: 'w:sync:app:state', child: 'sync' }, (node, ctx) => {
    loggedIn(ctx);
    const collections = childrenByTag(child(node, 'sync'), 'collection').map((c) => ({
      tag: 'collection',
      attrs: { name: c.attrs.name, version: c.attrs.version ?? '0' },
    }));
    ctx.reply(iqResult(node, [{ tag: 'sync', attrs: {}, content: collections }]));
  });

  // ---- md: device management -----------------------------------------------------------

  // sock.logout() (lib/Socket/socket.js) sends remove-companion-device, then ends with 401.
  router.on({ tag: 'iq', xmlns: 'md', child: 'remove-companion-device' }, (node, ctx) => {
    const { account } = loggedIn(ctx);
    ctx.reply(iqResult(node));
    host.forgetDevice(account, ctx.conn.deviceId!);
  });

  router.on({ tag: 'iq', xmlns: 'md', child: 'link_code_companion_reg' }, (node, ctx) =>
    host.onLinkCodeCompanionReg(ctx.conn, node),
  );

  // ---- usync ---------------------------------------------------------------------------

  // executeUSyncQuery (lib/Socket/socket.js) → USyncQuery.parseUSyncQueryResult
  // (lib/WAUSync/USyncQuery.js): <usync><list><user jid>{one child per protocol}</user>…
  router.on({ tag: 'iq', xmlns: 'usync', child: 'usync' }, (node, ctx) => {
    loggedIn(ctx);
    const usync = child(node, 'usync')!;
    const protocols = children(child(usync, 'query')).map((p) => p.tag);
    const known = new Set(['contact', 'devices', 'lid', 'status', 'disappearing_mode']);
    for (const p of protocols) {
      if (!known.has(p)) {
        host.errors.record('unknown-stanza', `usync protocol "${p}" is not simulated`, {
          stanza: `iq xmlns=usync <usync> protocol=${p}`,
          device: ctx.deviceLabel,
        });
      }
    }
    const users: BinaryNode[] = [];
    for (const user of childrenByTag(child(usync, 'list'), 'user')) {
      let jid = user.attrs.jid;
      let r: Resolved | undefined;
      const phone = text(child(user, 'contact'));
      if (!jid && phone) {
        const digits = phone.replace(/[^0-9]/g, '');
        jid = `${digits}@s.whatsapp.net`;
        r = host.lookupPhone(digits);
      } else if (jid) {
        r = host.directory.resolve(jid);
        if (!r && jid.endsWith('@s.whatsapp.net')) r = host.lookupPhone(jid.split('@')[0].split(':')[0]);
      }
      if (!jid) continue;
      const content: BinaryNode[] = [];
      for (const p of protocols) {
        if (p === 'contact') content.push({ tag: 'contact', attrs: { type: r ? 'in' : 'out' } });
        else if (p === 'devices') content.push(devicesNode(r));
        else if (p === 'lid') {
          if (r && r.addressing === 'pn') {
            const lid = r.kind === 'account' ? r.account.lidJid() : r.contact.lidJid();
            content.push({ tag: 'lid', attrs: { val: lid } });
          }
        } else if (p === 'status') {
          if (r?.kind === 'account') content.push({ tag: 'status', attrs: { t: String(r.account.aboutSetAt) }, content: Buffer.from(r.account.about) });
          else content.push(r ? { tag: 'status', attrs: { t: unixSeconds() }, content: Buffer.from('Hey there! I am using WhatsApp.') } : { tag: 'status', attrs: { code: '404' } });
        } else if (p === 'disappearing_mode') {
          content.push({ tag: 'disappearing_mode', attrs: { duration: '0', t: '0' } });
        }
      }
      users.push({ tag: 'user', attrs: { jid }, content });
    }
    ctx.reply(
      iqResult(node, [
        {
          tag: 'usync',
          attrs: { sid: usync.attrs.sid, index: '0', last: 'true', mode: usync.attrs.mode, context: usync.attrs.context },
          content: [
            { tag: 'result', attrs: {}, content: protocols.map((p) => ({ tag: p, attrs: {} })) },
            { tag: 'list', attrs: {}, content: users },
          ],
        },
      ]),
    );
  });
}

/**
 * USyncDeviceProtocol.parser (lib/WAUSync/Protocols/USyncDeviceProtocol.js) and
 * extractDeviceJids (lib/Utils/signal.js): device 0 always, other devices only with a
 * truthy key-index.
 */
function devicesNode(r: Resolved | undefined): BinaryNode {
  const devices: BinaryNode[] = [];
  if (r?.kind === 'contact') devices.push({ tag: 'device', attrs: { id: '0' } });
  if (r?.kind === 'account') {
    devices.push({ tag: 'device', attrs: { id: '0' } });
    for (const d of r.account.devices.values()) {
      devices.push({ tag: 'device', attrs: { id: String(d.id), 'key-index': String(d.keyIndex) } });
    }
  }
  return { tag: 'devices', attrs: {}, content: [{ tag: 'device-list', attrs: {}, content: devices }] };
}
