import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeTone } from '../../../test/fixtures/audio-fixtures';
import { looksLikeOggOpus, parseOggOpus } from './ogg-opus';

describe('parseOggOpus', () => {
  const mono = makeTone({ seconds: 2.5, format: 'ogg-opus', sampleRate: 24000 });

  it('reads channels, pre-skip and the exact duration from granule positions', () => {
    assert.ok(looksLikeOggOpus(mono));
    assert.equal(mono.toString('latin1', 28, 36), 'OpusHead');
    const info = parseOggOpus(mono);
    assert.ok(info);
    assert.equal(info.channels, 1);
    assert.equal(info.inputSampleRate, 24000);
    assert.ok(info.preSkip > 0);
    assert.ok(Math.abs(info.durationMs - 2500) <= 20, `duration ${info.durationMs}`);
    assert.ok(info.pages >= 3);
  });

  it('reports stereo streams as two channels', () => {
    assert.equal(parseOggOpus(makeTone({ seconds: 1, format: 'ogg-opus', channels: 2 }))?.channels, 2);
  });

  it('refuses other formats, truncated streams, trailing bytes and chained streams', () => {
    const wav = makeTone({ seconds: 1, format: 'wav' });
    assert.equal(looksLikeOggOpus(wav), false);
    assert.equal(parseOggOpus(wav), null);
    assert.equal(parseOggOpus(Buffer.alloc(0)), null);
    assert.equal(parseOggOpus(mono.subarray(0, mono.length - 10)), null);
    assert.equal(parseOggOpus(Buffer.concat([mono, Buffer.from('junk')])), null);
    const other = makeTone({ seconds: 1, format: 'ogg-opus', frequency: 880 });
    assert.equal(parseOggOpus(Buffer.concat([mono, other])), null, 'two logical streams');
  });

  it('does not take Ogg Vorbis or WebM Opus for Ogg Opus', () => {
    assert.equal(looksLikeOggOpus(makeTone({ seconds: 1, format: 'webm' })), false);
    const fake = Buffer.from(mono);
    fake.write('OpusJunk', 28, 'latin1');
    assert.equal(looksLikeOggOpus(fake), false);
  });
});
