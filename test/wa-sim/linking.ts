/**
 * Linking a new companion, the phone's side and the server's side together:
 * registration (`pair-device` refs → QR), the QR scan, the pairing-code exchange
 * (`link_code_companion_reg`), then `pair-success` → `pair-device-sign` → stream error 515.
 */
import { randomBytes } from 'node:crypto';
import { proto } from '@whiskeysockets/baileys';
import { normalizePhone, type Account, type Directory, type LinkedDevice } from './account-store';
import { bytes, child, childBytes, iqResult, SERVER_JID, uintBE, unixSeconds, type BinaryNode } from './binary-node';
import { ControlError } from './control-error';
import { nextTag, type DeviceConnection, type PendingRegistration } from './device-connection';
import type { ErrorLog } from './error-log';
import { PairingCodeExchange } from './simulated-phone';

export interface LinkResult {
  phoneNumber: string;
  lid: string;
  deviceId: number;
  jid: string;
  lidJid: string;
}

export interface LinkHost {
  directory: Directory;
  errors: ErrorLog;
  /** All live connections, oldest first. */
  connections(): DeviceConnection[];
}

export class Linker {
  private readonly pairingWaiters = new Set<() => void>();

  constructor(
    private readonly host: LinkHost,
    private readonly qrRefCount = 6,
  ) {}

  /**
   * A new companion: send `pair-device` refs (Baileys turns each into a QR, one every
   * qrTimeout; lib/Socket/socket.js `CB:iq,type:set,pair-device`).
   */
  startRegistration(conn: DeviceConnection, payload: proto.ClientPayload, clientStatic: Buffer): void {
    const reg = parseRegistration(payload);
    const refs = Array.from({ length: this.qrRefCount }, () => `2@${randomBytes(24).toString('base64')}`);
    conn.registration = { refs, noisePublic: clientStatic, ...reg };
    conn
      .request({
        tag: 'iq',
        attrs: { type: 'set', xmlns: 'md' },
        content: [{ tag: 'pair-device', attrs: {}, content: refs.map((r) => ({ tag: 'ref', attrs: {}, content: Buffer.from(r) })) }],
      })
      .catch(() => undefined);
  }

  private registrationFor(predicate: (r: PendingRegistration) => boolean): DeviceConnection | undefined {
    return this.host
      .connections()
      .reverse()
      .find((c) => !c.closed && c.registration && !c.registration.claimed && predicate(c.registration));
  }

  /**
   * The phone scans a QR shown by Baileys (`ref,noiseKey,identityKey,advSecret[,platform]`,
   * possibly prefixed with https://wa.me/settings/linked_devices#).
   */
  async scan(qr: string, phoneNumber?: string): Promise<LinkResult> {
    const data = qr.includes('#') ? qr.slice(qr.indexOf('#') + 1) : qr;
    const [ref, noiseB64, identityB64, advB64] = data.split(',');
    if (!ref || !noiseB64 || !identityB64 || !advB64) throw new ControlError(400, 'not a WhatsApp linking QR');
    const conn = this.registrationFor((r) => r.refs.includes(ref));
    if (!conn) throw new ControlError(404, 'no connected companion shows this QR (expired, closed or already linked)');
    const reg = conn.registration!;
    if (!reg.noisePublic.equals(Buffer.from(noiseB64, 'base64')) || !reg.identityPublic.equals(Buffer.from(identityB64, 'base64'))) {
      throw new ControlError(400, 'QR keys do not match the registering companion');
    }
    reg.claimed = true;
    try {
      const account = this.host.directory.getOrCreateAccount(phoneNumber);
      return await this.completeLink(conn, reg, account, Buffer.from(advB64, 'base64'));
    } catch (err) {
      reg.claimed = false;
      throw err;
    }
  }

  /** `<iq xmlns=md><link_code_companion_reg stage=…>` from requestPairingCode / the notification handler. */
  onLinkCodeCompanionReg(conn: DeviceConnection, iq: BinaryNode): void {
    const reg = child(iq, 'link_code_companion_reg')!;
    const stage = reg.attrs.stage;
    if (!conn.registration) throw new Error('link_code_companion_reg on a connection that is not registering');
    if (stage === 'companion_hello') {
      const wrapped = childBytes(reg, 'link_code_pairing_wrapped_companion_ephemeral_pub');
      const phone = (reg.attrs.jid ?? '').split('@')[0];
      if (!wrapped || wrapped.length !== 80 || !phone) throw new Error('malformed companion_hello');
      const previous = conn.registration.pairingCode;
      if (previous?.phoneNumber === phone) previous.wrappedCompanionEphemerals.push(wrapped);
      else conn.registration.pairingCode = { phoneNumber: phone, wrappedCompanionEphemerals: [wrapped], ref: randomBytes(16).toString('hex') };
      const ref = conn.registration.pairingCode!.ref;
      conn.send(
        iqResult(iq, [
          { tag: 'link_code_companion_reg', attrs: {}, content: [{ tag: 'link_code_pairing_ref', attrs: {}, content: Buffer.from(ref) }] },
        ]),
      );
      for (const w of [...this.pairingWaiters]) w();
      return;
    }
    if (stage === 'companion_finish') {
      conn.send(iqResult(iq));
      const onFinish = conn.registration.onCompanionFinish;
      if (!onFinish) throw new Error('companion_finish without a pairing in progress');
      delete conn.registration.onCompanionFinish;
      onFinish(iq);
      return;
    }
    throw new Error(`link_code_companion_reg stage "${stage}" is not simulated`);
  }

  /**
   * The user types the pairing code Baileys returned from `requestPairingCode(phone)` into
   * the phone of `phoneNumber`. Waits up to 5 s for that companion_hello to arrive.
   */
  async pair(pairingCode: string, phoneNumber: string): Promise<LinkResult> {
    const phone = normalizePhone(phoneNumber);
    const code = pairingCode.replace(/[-\s]/g, '').toUpperCase();
    if (code.length !== 8) throw new ControlError(400, 'a pairing code has 8 characters');
    const find = () => this.registrationFor((r) => r.pairingCode?.phoneNumber === phone);
    let conn = find();
    if (!conn) {
      // requestPairingCode() resolves once its iq is written; give it time to arrive.
      await new Promise<void>((resolve) => {
        const finish = () => {
          clearTimeout(timer);
          this.pairingWaiters.delete(waiter);
          resolve();
        };
        const waiter = () => {
          if (find()) finish();
        };
        const timer = setTimeout(finish, 5000);
        this.pairingWaiters.add(waiter);
      });
      conn = find();
    }
    if (!conn) throw new ControlError(404, `no companion asked for a pairing code for ${phone}`);
    const reg = conn.registration!;
    const pc = reg.pairingCode!;
    reg.claimed = true;
    try {
      const account = this.host.directory.getOrCreateAccount(phone);
      const exchange = new PairingCodeExchange(code, account.phone);
      const wrappedPrimary = await exchange.wrapPrimaryEphemeral();
      const finished = new Promise<BinaryNode>((resolve, reject) => {
        const timer = setTimeout(() => reject(new ControlError(504, 'companion did not send companion_finish')), 10_000);
        reg.onCompanionFinish = (node) => {
          clearTimeout(timer);
          resolve(node);
        };
      });
      // What the phone's server sends once the code is typed (handled in
      // lib/Socket/messages-recv.js, `case 'link_code_companion_reg'`).
      const sent = conn.send({
        tag: 'notification',
        attrs: { from: SERVER_JID, id: nextTag(), t: unixSeconds(), type: 'link_code_companion_reg' },
        content: [
          {
            tag: 'link_code_companion_reg',
            attrs: {},
            content: [
              { tag: 'link_code_pairing_ref', attrs: {}, content: Buffer.from(pc.ref) },
              { tag: 'primary_identity_pub', attrs: {}, content: account.phone.accountKeyPair.public },
              { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', attrs: {}, content: wrappedPrimary },
            ],
          },
        ],
      });
      if (!sent) throw new ControlError(409, 'companion disconnected');
      const finishNode = await finished;
      const body = child(finishNode, 'link_code_companion_reg');
      const bundle = childBytes(body, 'link_code_pairing_wrapped_key_bundle');
      const companionIdentity = childBytes(body, 'companion_identity_public');
      if (!bundle || !companionIdentity) throw new Error('malformed companion_finish');
      if (!companionIdentity.equals(reg.identityPublic)) throw new Error('companion_finish identity differs from registration');
      let advSecret: Buffer;
      try {
        advSecret = await exchange.finish(bundle, companionIdentity, pc.wrappedCompanionEphemerals);
      } catch (err) {
        throw new ControlError(400, (err as Error).message);
      }
      return await this.completeLink(conn, reg, account, advSecret);
    } catch (err) {
      reg.claimed = false;
      delete reg.onCompanionFinish;
      throw err;
    }
  }

  /**
   * Shared end of both flows: `pair-success` (checked by configureSuccessfulPairing,
   * lib/Utils/validate-connection.js), wait for `pair-device-sign`, remember the device,
   * then `<stream:error code="515"/>` (restartRequired): Baileys reconnects and logs in.
   */
  private async completeLink(conn: DeviceConnection, reg: PendingRegistration, account: Account, advSecret: Buffer): Promise<LinkResult> {
    const deviceId = account.allocateDeviceId();
    const keyIndex = deviceId;
    const deviceIdentity = account.phone.signCompanion(reg.identityPublic, advSecret, keyIndex);
    const pairSuccess: BinaryNode = {
      tag: 'iq',
      attrs: { type: 'set', xmlns: 'md', t: unixSeconds() },
      content: [
        {
          tag: 'pair-success',
          attrs: {},
          content: [
            { tag: 'device-identity', attrs: {}, content: deviceIdentity },
            { tag: 'platform', attrs: { name: 'android' } },
            { tag: 'device', attrs: { jid: account.pnJid(deviceId), lid: account.lidJid(deviceId) } },
          ],
        },
      ],
    };
    const reply = await conn.request(pairSuccess).catch((err: Error) => {
      throw new ControlError(409, `companion went away during pairing: ${err.message}`);
    });
    const signed = bytes(child(child(reply, 'pair-device-sign'), 'device-identity'));
    if (reply.attrs.type !== 'result' || !signed) throw new ControlError(502, 'companion rejected pair-success');
    if (!account.phone.verifyCompanionSignature(signed, reg.identityPublic)) {
      this.host.errors.record('protocol', 'pair-device-sign carries an invalid device signature', { device: conn.label });
      throw new ControlError(502, 'invalid device signature in pair-device-sign');
    }
    const device: LinkedDevice = {
      id: deviceId,
      keyIndex,
      noisePublic: reg.noisePublic,
      identityPublic: reg.identityPublic,
      registrationId: reg.registrationId,
      signedPreKey: reg.signedPreKey,
      preKeys: new Map(),
      platform: reg.platform,
      linkedAt: new Date().toISOString(),
    };
    account.devices.set(deviceId, device);
    conn.registration = undefined;
    conn.sendAndClose({ tag: 'stream:error', attrs: { code: '515' } });
    return { phoneNumber: account.phoneNumber, lid: account.lid, deviceId, jid: account.pnJid(deviceId), lidJid: account.lidJid(deviceId) };
  }
}

/** Decode ClientPayload.devicePairingData (generateRegistrationNode, lib/Utils/validate-connection.js). */
export function parseRegistration(payload: proto.ClientPayload): {
  identityPublic: Buffer;
  registrationId: number;
  signedPreKey: LinkedDevice['signedPreKey'];
  platform: string;
} {
  const d = payload.devicePairingData!;
  const props = d.deviceProps ? proto.DeviceProps.decode(d.deviceProps) : undefined;
  return {
    identityPublic: Buffer.from(d.eIdent!),
    registrationId: uintBE(Buffer.from(d.eRegid!))!,
    signedPreKey: {
      keyId: uintBE(Buffer.from(d.eSkeyId!))!,
      public: Buffer.from(d.eSkeyVal!),
      signature: Buffer.from(d.eSkeySig!),
    },
    platform: props?.os ?? 'unknown',
  };
}

