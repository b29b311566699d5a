/**
 * WhatsApp media encryption as Baileys does it (lib/Utils/messages-media.js):
 * keys = HKDF(mediaKey, 112, "WhatsApp <Type> Keys") → iv(16) ‖ cipherKey(32) ‖ macKey(32);
 * blob = AES-256-CBC(plain) ‖ HMAC-SHA256(macKey, iv ‖ ciphertext)[0..10].
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { getMediaKeys, type MediaType } from '@whiskeysockets/baileys';

export interface EncryptedMedia {
  mediaKey: Buffer;
  blob: Buffer;
  fileSha256: Buffer;
  fileEncSha256: Buffer;
  fileLength: number;
}

export async function encryptMedia(plain: Buffer, mediaType: MediaType): Promise<EncryptedMedia> {
  const mediaKey = randomBytes(32);
  const keys = await getMediaKeys(mediaKey, mediaType);
  const iv = keys.iv!, cipherKey = keys.cipherKey!, macKey = keys.macKey!;
  const aes = createCipheriv('aes-256-cbc', cipherKey, iv);
  const enc = Buffer.concat([aes.update(plain), aes.final()]);
  const mac = createHmac('sha256', macKey).update(iv).update(enc).digest().subarray(0, 10);
  const blob = Buffer.concat([enc, mac]);
  return {
    mediaKey,
    blob,
    fileSha256: createHash('sha256').update(plain).digest(),
    fileEncSha256: createHash('sha256').update(blob).digest(),
    fileLength: plain.length,
  };
}

/**
 * Decrypt and verify a downloaded blob against the values in the E2E message.
 * Throws with a precise reason on any mismatch.
 */
export async function decryptMedia(
  blob: Buffer,
  mediaKey: Uint8Array,
  mediaType: MediaType,
  expected: { fileEncSha256?: Uint8Array | null; fileSha256?: Uint8Array | null },
): Promise<Buffer> {
  if (expected.fileEncSha256 && !createHash('sha256').update(blob).digest().equals(Buffer.from(expected.fileEncSha256))) {
    throw new Error('fileEncSha256 does not match the downloaded blob');
  }
  const keys = await getMediaKeys(Buffer.from(mediaKey), mediaType);
  const iv = keys.iv!, cipherKey = keys.cipherKey!, macKey = keys.macKey!;
  const enc = blob.subarray(0, blob.length - 10);
  const mac = blob.subarray(blob.length - 10);
  const wantMac = createHmac('sha256', macKey).update(iv).update(enc).digest().subarray(0, 10);
  if (!wantMac.equals(mac)) throw new Error('media HMAC does not verify (wrong mediaKey or media type)');
  const aes = createDecipheriv('aes-256-cbc', cipherKey, iv);
  const plain = Buffer.concat([aes.update(enc), aes.final()]);
  if (expected.fileSha256 && !createHash('sha256').update(plain).digest().equals(Buffer.from(expected.fileSha256))) {
    throw new Error('fileSha256 does not match the decrypted bytes');
  }
  return plain;
}
