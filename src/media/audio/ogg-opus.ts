/** Ogg Opus always counts granule positions at 48 kHz, whatever the input sample rate was (RFC 7845 §4). */
const OPUS_GRANULE_RATE = 48_000;
const OGG_PAGE_HEADER = 27;
const OPUS_HEAD = Buffer.from('OpusHead', 'latin1');
const OGG_CAPTURE = Buffer.from('OggS', 'latin1');
const NO_GRANULE = -1n;

export interface OggOpusInfo {
  /** Output channel count from the OpusHead packet. */
  channels: number;
  /** Samples (at 48 kHz) the decoder drops at the start. */
  preSkip: number;
  /** Sample rate of the original input, informational only. */
  inputSampleRate: number;
  /** Exact playback duration: last granule position minus pre-skip. */
  durationMs: number;
  pages: number;
}

/**
 * Cheap sniff: the `OggS` capture pattern at byte 0 and an `OpusHead` packet opening the
 * first page (bytes 28–35 when the page has one segment, as every muxer writes it).
 */
export function looksLikeOggOpus(buf: Buffer): boolean {
  if (buf.length < OGG_PAGE_HEADER + 1 + OPUS_HEAD.length) return false;
  if (!buf.subarray(0, 4).equals(OGG_CAPTURE)) return false;
  const bodyStart = OGG_PAGE_HEADER + buf[26];
  return buf.length >= bodyStart + OPUS_HEAD.length && buf.subarray(bodyStart, bodyStart + 8).equals(OPUS_HEAD);
}

/**
 * Walks every Ogg page header (RFC 3533) and reads the OpusHead packet (RFC 7845 §5.1).
 * Returns null unless the bytes are exactly one complete logical Opus stream: chained or
 * multiplexed streams, truncated pages and trailing bytes all give null. Page CRCs are not
 * checked; decoding the audio (as the waveform step does) catches corrupt packets.
 */
export function parseOggOpus(buf: Buffer): OggOpusInfo | null {
  if (!looksLikeOggOpus(buf)) return null;
  let offset = 0;
  let pages = 0;
  let serial: number | undefined;
  let lastGranule = NO_GRANULE;
  let head: { channels: number; preSkip: number; inputSampleRate: number } | undefined;
  while (offset < buf.length) {
    if (offset + OGG_PAGE_HEADER > buf.length) return null;
    if (!buf.subarray(offset, offset + 4).equals(OGG_CAPTURE) || buf[offset + 4] !== 0) return null;
    const granule = buf.readBigInt64LE(offset + 6);
    const pageSerial = buf.readUInt32LE(offset + 14);
    const segments = buf[offset + 26];
    const tableEnd = offset + OGG_PAGE_HEADER + segments;
    if (tableEnd > buf.length) return null;
    let bodyLength = 0;
    for (let i = offset + OGG_PAGE_HEADER; i < tableEnd; i++) bodyLength += buf[i];
    const pageEnd = tableEnd + bodyLength;
    if (pageEnd > buf.length) return null;
    if (serial === undefined) {
      serial = pageSerial;
      if (bodyLength < 19) return null;
      head = {
        channels: buf[tableEnd + 9],
        preSkip: buf.readUInt16LE(tableEnd + 10),
        inputSampleRate: buf.readUInt32LE(tableEnd + 12),
      };
    } else if (pageSerial !== serial) {
      return null;
    }
    if (granule !== NO_GRANULE) lastGranule = granule;
    pages += 1;
    offset = pageEnd;
  }
  if (!head || head.channels < 1) return null;
  const samples = lastGranule === NO_GRANULE ? 0 : Number(lastGranule) - head.preSkip;
  return { ...head, durationMs: Math.max(0, Math.round((samples * 1000) / OPUS_GRANULE_RATE)), pages };
}
