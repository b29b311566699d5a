/**
 * The certificate chain the simulator presents in its Noise `serverHello`.
 *
 * Baileys checks exactly this in `lib/Utils/noise-handler.js` (`processHandshake`):
 *   - the intermediate's details are signed by `WA_CERT_DETAILS.PUBLIC_KEY` (the root),
 *   - the intermediate's `issuerSerial` equals `WA_CERT_DETAILS.SERIAL` (0),
 *   - the leaf's details are signed by the key inside the intermediate.
 * It does not compare the leaf key with the Noise static key, nor look at dates; we still
 * put the static key in the leaf, as WhatsApp does.
 *
 * The root key pair is generated per simulator; a process trusts it by assigning the
 * public half to `WA_CERT_DETAILS.PUBLIC_KEY` (see `trust.ts`).
 */
import { Curve, proto } from '@whiskeysockets/baileys';

export interface CurveKeyPair {
  public: Buffer;
  private: Buffer;
}

export interface NoiseIdentity {
  /** Root key pair standing in for WhatsApp's long-term certificate key. */
  root: CurveKeyPair;
  /** The server's Noise static key pair (sent encrypted in serverHello). */
  staticKeyPair: CurveKeyPair;
  /** Encoded `proto.CertChain` (intermediate + leaf). */
  certChain: Buffer;
}

function toKeyPair(kp: { public: Uint8Array; private: Uint8Array }): CurveKeyPair {
  return { public: Buffer.from(kp.public), private: Buffer.from(kp.private) };
}

export function generateKeyPair(): CurveKeyPair {
  return toKeyPair(Curve.generateKeyPair());
}

export function makeNoiseIdentity(root: CurveKeyPair = generateKeyPair()): NoiseIdentity {
  const intermediate = generateKeyPair();
  const staticKeyPair = generateKeyPair();
  const now = Math.floor(Date.now() / 1000);
  const yearLater = now + 365 * 24 * 3600;

  const intermediateDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: 1,
    issuerSerial: 0, // must equal WA_CERT_DETAILS.SERIAL
    key: intermediate.public,
    notBefore: now,
    notAfter: yearLater,
  }).finish();
  const leafDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: 2,
    issuerSerial: 1,
    key: staticKeyPair.public,
    notBefore: now,
    notAfter: yearLater,
  }).finish();

  const certChain = proto.CertChain.encode({
    intermediate: {
      details: intermediateDetails,
      signature: Buffer.from(Curve.sign(root.private, intermediateDetails)),
    },
    leaf: {
      details: leafDetails,
      signature: Buffer.from(Curve.sign(intermediate.private, leafDetails)),
    },
  }).finish();

  return { root, staticKeyPair, certChain: Buffer.from(certChain) };
}
