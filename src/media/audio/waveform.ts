/** WhatsApp draws a voice note's waveform from 64 values between 0 and 100. */
export const WAVEFORM_POINTS = 64;

/**
 * The waveform WhatsApp shows for a voice note: the mean absolute amplitude of each of
 * `points` equal slices of signed 16-bit little-endian mono PCM, scaled so the loudest slice
 * is 100 (the same scale Baileys computes when it has to). Silence gives all zeros.
 */
export function waveformFromPcm16(pcm: Buffer, points = WAVEFORM_POINTS): Uint8Array {
  const samples = toInt16(pcm);
  const n = samples.length;
  const means = new Float64Array(points);
  for (let i = 0; i < points; i++) {
    const start = Math.floor((i * n) / points);
    const end = Math.floor(((i + 1) * n) / points);
    let sum = 0;
    for (let j = start; j < end; j++) sum += Math.abs(samples[j]);
    means[i] = end > start ? sum / (end - start) : 0;
  }
  let max = 0;
  for (const m of means) if (m > max) max = m;
  const out = new Uint8Array(points);
  if (max === 0) return out;
  // The loudest slice is exactly 100: (100 * m) / m can come out as 99.999… in floating point.
  for (let i = 0; i < points; i++) out[i] = means[i] === max ? 100 : Math.floor((100 * means[i]) / max);
  return out;
}

function toInt16(pcm: Buffer): Int16Array {
  const length = Math.floor(pcm.length / 2);
  if (pcm.byteOffset % 2 === 0) return new Int16Array(pcm.buffer, pcm.byteOffset, length);
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) out[i] = pcm.readInt16LE(i * 2);
  return out;
}
