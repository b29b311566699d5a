/**
 * A tiny, valid Ogg/Opus file of silence, built in JS for voice-note tests (no ffmpeg).
 * Layout (RFC 7845): page 0 = OpusHead (BOS), page 1 = OpusTags, then audio pages of
 * 20 ms "silence" packets (TOC 0xF8 = CELT fullband 20 ms mono, body FF FE), last page EOS.
 * Duration readers (music-metadata, used by Baileys when `seconds` is omitted) derive
 * the length from the final granule position minus pre-skip.
 */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

function oggCrc(data: Buffer): number {
  let crc = 0;
  for (const byte of data) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]) >>> 0;
  return crc >>> 0;
}

function page(packets: Buffer[], granule: bigint, serial: number, sequence: number, headerType: number): Buffer {
  const lacing: number[] = [];
  for (const p of packets) {
    let n = p.length;
    while (n >= 255) {
      lacing.push(255);
      n -= 255;
    }
    lacing.push(n);
  }
  if (lacing.length > 255) throw new Error('too many segments for one Ogg page');
  const header = Buffer.alloc(27);
  header.write('OggS', 0, 'ascii');
  header[4] = 0; // version
  header[5] = headerType;
  header.writeBigInt64LE(granule, 6);
  header.writeUInt32LE(serial, 14);
  header.writeUInt32LE(sequence, 18);
  header.writeUInt32LE(0, 22); // CRC placeholder
  header[26] = lacing.length;
  const out = Buffer.concat([header, Buffer.from(lacing), ...packets]);
  out.writeUInt32LE(oggCrc(out), 22);
  return out;
}

const PRE_SKIP = 312;
const SAMPLES_PER_PACKET = 960; // 20 ms at 48 kHz
const SILENCE_PACKET = Buffer.from([0xf8, 0xff, 0xfe]);

/** Mono 48 kHz Ogg/Opus of `seconds` of silence (a multiple of 20 ms). */
export function makeSilentOggOpus(seconds = 1): Buffer {
  const serial = 0x5157a51;
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'ascii');
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(PRE_SKIP, 10);
  head.writeUInt32LE(48000, 12);
  head.writeInt16LE(0, 16); // output gain
  head[18] = 0; // channel mapping family
  const vendor = Buffer.from('wa-sim', 'ascii');
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
  tags.write('OpusTags', 0, 'ascii');
  tags.writeUInt32LE(vendor.length, 8);
  vendor.copy(tags, 12);
  tags.writeUInt32LE(0, 12 + vendor.length);

  const pages = [page([head], 0n, serial, 0, 0x02), page([tags], 0n, serial, 1, 0x00)];
  const total = Math.max(1, Math.round(seconds * 50));
  let granule = BigInt(PRE_SKIP);
  let sequence = 2;
  for (let done = 0; done < total; ) {
    const n = Math.min(50, total - done);
    done += n;
    granule += BigInt(n * SAMPLES_PER_PACKET);
    pages.push(page(Array(n).fill(SILENCE_PACKET), granule, serial, sequence++, done === total ? 0x04 : 0x00));
  }
  return Buffer.concat(pages);
}
