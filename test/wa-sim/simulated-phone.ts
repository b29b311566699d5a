/**
 * The primary phone of a simulated account (device 0).
 *
 * In WhatsApp the phone's Signal identity key is also the "account signature key" that
 * vouches for every linked companion device (ADV = account device verification). So one
 * SignalParty serves both roles: it decrypts the copies Baileys sends to "own device 0",
 * and it signs the device identity handed out in `pair-success`.
 */
import { randomBytes } from 'node:crypto';
import {
  aesDecryptCTR,
  aesDecryptGCM,
  aesEncryptCTR,
  Curve,
  derivePairingCodeKey,
  hkdf,
  hmacSign,
  proto,
  WA_ADV_ACCOUNT_SIG_PREFIX,
  WA_ADV_DEVICE_SIG_PREFIX,
} from '@whiskeysockets/baileys';
import { generateKeyPair, type CurveKeyPair } from './noise-cert';
import { SignalParty } from './signal-party';

export class SimulatedPhone {
  readonly party = new SignalParty();

  /** The account signature key pair = the phone's identity key pair. */
  get accountKeyPair(): { public: Buffer; private: Buffer } {
    const kp = this.party.identityKeyPair;
    return { public: Buffer.from(kp.public), private: Buffer.from(kp.private) };
  }

  /**
   * Build the `<device-identity>` content of `pair-success`: what Baileys verifies in
   * `configureSuccessfulPairing` (`lib/Utils/validate-connection.js`):
   *   HMAC-SHA256(advSecret, details) and
   *   Curve.verify(accountKey, 0x06 0x00 ‖ deviceDetails ‖ companionIdentityPublic).
   */
  signCompanion(companionIdentityPublic: Buffer, advSecret: Buffer, keyIndex: number): Buffer {
    const deviceDetails = proto.ADVDeviceIdentity.encode({
      rawId: randomBytes(4).readUInt32BE(0),
      timestamp: Math.floor(Date.now() / 1000),
      keyIndex,
    }).finish();
    const { public: accountPublic, private: accountPrivate } = this.accountKeyPair;
    const accountSignature = Curve.sign(
      accountPrivate,
      Buffer.concat([WA_ADV_ACCOUNT_SIG_PREFIX, deviceDetails, companionIdentityPublic]),
    );
    const details = proto.ADVSignedDeviceIdentity.encode({
      details: deviceDetails,
      accountSignatureKey: accountPublic,
      accountSignature,
    }).finish();
    const hmac = hmacSign(Buffer.from(details), advSecret);
    return Buffer.from(proto.ADVSignedDeviceIdentityHMAC.encode({ details, hmac }).finish());
  }

  /**
   * Check the `pair-device-sign` reply: the companion countersigns with its identity key
   * over 0x06 0x01 ‖ deviceDetails ‖ companionIdentity ‖ accountKey (WA_ADV_DEVICE_SIG_PREFIX).
   */
  verifyCompanionSignature(signedIdentity: Buffer, companionIdentityPublic: Buffer): boolean {
    const account = proto.ADVSignedDeviceIdentity.decode(signedIdentity);
    if (!account.details || !account.deviceSignature) return false;
    const msg = Buffer.concat([
      WA_ADV_DEVICE_SIG_PREFIX,
      account.details,
      companionIdentityPublic,
      this.accountKeyPair.public,
    ]);
    return Curve.verify(companionIdentityPublic, msg, account.deviceSignature);
  }
}

/**
 * The phone's side of "Link with phone number instead" (pairing code), the mirror of
 * `requestPairingCode` (`lib/Socket/socket.js`) and the `link_code_companion_reg`
 * notification handler (`lib/Socket/messages-recv.js`).
 */
export class PairingCodeExchange {
  private readonly primaryEphemeral: CurveKeyPair = generateKeyPair();

  constructor(
    private readonly pairingCode: string,
    private readonly phone: SimulatedPhone,
  ) {}

  /**
   * Our ephemeral key wrapped for the notification the way `requestPairingCode` wraps the
   * companion's (`generatePairingKey`): salt(32) ‖ iv(16) ‖ AES-CTR(key = PBKDF2(code, salt)).
   */
  async wrapPrimaryEphemeral(): Promise<Buffer> {
    const salt = randomBytes(32);
    const iv = randomBytes(16);
    const key = await derivePairingCodeKey(this.pairingCode, salt);
    return Buffer.concat([salt, iv, aesEncryptCTR(this.primaryEphemeral.public, key, iv)]);
  }

  /**
   * Open the `companion_finish` key bundle and derive the ADV secret exactly like the
   * companion did: hkdf(companionShared ‖ identityShared ‖ random, 32, 'adv_secret').
   *
   * The companion's ephemeral key comes from a `companion_hello`, unwrapped with the typed
   * code. CTR has no integrity, so a hello wrapped with another code (a wrong code, or an
   * older requestPairingCode call) just yields a wrong key; we try every hello the
   * companion sent and keep the one whose key opens the GCM-sealed bundle. None opening
   * means the typed code is wrong.
   */
  async finish(wrappedKeyBundle: Buffer, companionIdentityPublic: Buffer, wrappedCompanionEphemerals: Buffer[]): Promise<Buffer> {
    const salt = wrappedKeyBundle.subarray(0, 32);
    const iv = wrappedKeyBundle.subarray(32, 44);
    const sealed = wrappedKeyBundle.subarray(44);
    let plain: Buffer | undefined;
    let companionShared: Buffer | undefined;
    for (const wrapped of [...wrappedCompanionEphemerals].reverse()) {
      const key = await derivePairingCodeKey(this.pairingCode, wrapped.subarray(0, 32));
      const companionEphemeral = aesDecryptCTR(wrapped.subarray(48, 80), key, wrapped.subarray(32, 48));
      const shared = Curve.sharedKey(this.primaryEphemeral.private, companionEphemeral);
      const bundleKey = Buffer.from(hkdf(shared, 32, { salt, info: 'link_code_pairing_key_bundle_encryption_key' }));
      try {
        plain = aesDecryptGCM(sealed, bundleKey, iv, Buffer.alloc(0));
        companionShared = shared;
        break;
      } catch {
        /* not this hello */
      }
    }
    if (!plain || !companionShared) throw new Error('pairing code does not match (key bundle did not decrypt)');
    const bundledCompanionIdentity = plain.subarray(0, 32);
    const bundledPrimaryIdentity = plain.subarray(32, 64);
    const random = plain.subarray(64);
    if (!bundledCompanionIdentity.equals(companionIdentityPublic)) {
      throw new Error('key bundle companion identity differs from companion_identity_public');
    }
    if (!bundledPrimaryIdentity.equals(this.phone.accountKeyPair.public)) {
      throw new Error('key bundle names another primary identity');
    }
    const identityShared = Curve.sharedKey(this.phone.accountKeyPair.private, companionIdentityPublic);
    return Buffer.from(hkdf(Buffer.concat([companionShared, identityShared, random]), 32, { info: 'adv_secret' }));
  }
}
