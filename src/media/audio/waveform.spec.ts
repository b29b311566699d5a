import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WAVEFORM_POINTS, waveformFromPcm16 } from './waveform';

function pcm(samples: number[]): Buffer {
  const buf = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => buf.writeInt16LE(s, i * 2));
  return buf;
}

describe('waveformFromPcm16', () => {
  it('gives 64 zeros for silence and for no samples', () => {
    assert.deepEqual([...waveformFromPcm16(pcm(new Array(6400).fill(0)))], new Array(WAVEFORM_POINTS).fill(0));
    assert.deepEqual([...waveformFromPcm16(Buffer.alloc(0))], new Array(WAVEFORM_POINTS).fill(0));
  });

  it('scales the loudest slice to 100 and follows the envelope', () => {
    // A ramp from quiet to loud, alternating sign like real audio.
    const samples = Array.from({ length: 64 * 100 }, (_, i) => (i % 2 ? -1 : 1) * Math.floor((i / 6400) * 30000));
    const w = waveformFromPcm16(pcm(samples));
    assert.equal(w.length, 64);
    assert.equal(w[63], 100);
    assert.ok(w[0] <= 1);
    for (let i = 1; i < 64; i++) assert.ok(w[i] >= w[i - 1], `non-decreasing at ${i}`);
    assert.ok(Math.abs(w[31] - 50) <= 2, `middle ${w[31]}`);
  });

  it('gives the loudest slice exactly 100 even when its mean is not a round number', () => {
    // Each slice is [1, 0, 0]: a mean of 1/3, where (100 * m) / m is 99.999… in floating point.
    const w = waveformFromPcm16(pcm(Array.from({ length: 64 * 3 }, (_, i) => (i % 3 === 0 ? 1 : 0))));
    assert.deepEqual([...w], new Array(64).fill(100));
  });

  it('handles fewer samples than points and odd byte offsets', () => {
    const w = waveformFromPcm16(pcm([1000, -2000, 4000]));
    assert.equal(w.length, 64);
    assert.equal(Math.max(...w), 100);
    const shifted = Buffer.concat([Buffer.alloc(1), pcm(new Array(640).fill(500))]).subarray(1);
    assert.deepEqual([...waveformFromPcm16(shifted)], new Array(64).fill(100));
  });
});
