import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeTone, probe, speakWav } from '../../../test/fixtures/audio-fixtures';
import { AppError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import { parseOggOpus } from './ogg-opus';
import { VOICE_NOTE_MIMETYPE, type VoiceNote } from './voice-note';
import { VoiceNoteService } from './voice-note.service';

const service = new VoiceNoteService(new AppConfig({}));

function assertVoiceNote(note: VoiceNote, expectedMs: number, toleranceMs = 120) {
  assert.equal(note.mimetype, VOICE_NOTE_MIMETYPE);
  assert.equal(note.data.toString('latin1', 0, 4), 'OggS');
  assert.equal(note.data.toString('latin1', 28, 36), 'OpusHead');
  const p = probe(note.data);
  assert.equal(p.format, 'ogg');
  assert.equal(p.codec, 'opus');
  assert.equal(p.channels, 1);
  assert.equal(p.sampleRate, 48000);
  assert.ok(Math.abs(note.durationMs - expectedMs) <= toleranceMs, `duration ${note.durationMs} ms, expected ~${expectedMs}`);
  assert.equal(note.seconds, Math.max(1, Math.ceil(note.durationMs / 1000)));
  assert.equal(note.waveform.length, 64);
  assert.ok(note.waveform.every((v) => Number.isInteger(v) && v >= 0 && v <= 100));
  assert.equal(Math.max(...note.waveform), 100);
}

function isAppError(code: ErrorCode, reason?: string) {
  return (err: unknown) => {
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.code, code);
    if (reason) assert.equal((err.details as { reason: string }).reason, reason);
    return true;
  };
}

describe('VoiceNoteService', () => {
  it('keeps mono Ogg Opus byte for byte and only analyses it', async () => {
    const ogg = makeTone({ seconds: 2.5, format: 'ogg-opus', sampleRate: 24000 });
    assert.ok(service.isVoiceNote(ogg));
    const note = await service.toVoiceNote(ogg);
    assert.ok(note.data.equals(ogg), 'same bytes');
    assertVoiceNote(note, 2500, 30);
    assert.equal(note.seconds, 3);
  });

  it('transcodes stereo Ogg Opus to mono', async () => {
    const stereo = makeTone({ seconds: 1.5, format: 'ogg-opus', channels: 2 });
    assert.equal(service.isVoiceNote(stereo), false);
    const note = await service.toVoiceNote(stereo);
    assert.ok(!note.data.equals(stereo));
    assertVoiceNote(note, 1500);
    assert.equal(note.seconds, 2);
  });

  for (const format of ['wav', 'mp3', 'm4a', 'webm'] as const) {
    it(`transcodes ${format} to a voice note`, async () => {
      const note = await service.toVoiceNote(makeTone({ seconds: 2, format, channels: 2 }));
      assertVoiceNote(note, 2000, format === 'mp3' || format === 'm4a' ? 150 : 60);
    });
  }

  it('transcodes espeak-ng speech and draws its envelope', async () => {
    const wav = await speakWav('Hello from the voice note pipeline. This is a test.');
    // The program streams its WAV with an unknown length; count the 16-bit mono samples instead.
    const expectedMs = ((wav.length - 44) / 2 / wav.readUInt32LE(24)) * 1000;
    const note = await service.toVoiceNote(wav);
    assertVoiceNote(note, expectedMs);
    assert.ok(new Set(note.waveform).size > 10, 'speech has a varied envelope');
  });

  it('shows leading silence as a quiet start of the waveform', async () => {
    const note = await service.toVoiceNote(makeTone({ seconds: 2, format: 'wav', leadingSilence: 2 }));
    assertVoiceNote(note, 4000);
    assert.ok(note.waveform.slice(0, 30).every((v) => v <= 2), `start ${note.waveform.slice(0, 30)}`);
    assert.ok(note.waveform.slice(34).every((v) => v >= 90), `end ${note.waveform.slice(34)}`);
  });

  it('re-encodes mono Ogg Opus when asked to', async () => {
    const ogg = makeTone({ seconds: 1, format: 'ogg-opus' });
    const note = await service.toVoiceNote(ogg, { forceTranscode: true });
    assert.ok(!note.data.equals(ogg));
    assertVoiceNote(note, 1000);
  });

  it('joins clips of different formats into one note whose duration is the sum', async () => {
    const clips = [
      makeTone({ seconds: 1, format: 'ogg-opus', sampleRate: 24000 }),
      makeTone({ seconds: 2, format: 'wav', frequency: 660 }),
      makeTone({ seconds: 1.5, format: 'ogg-opus', channels: 2, frequency: 880 }),
      makeTone({ seconds: 1, format: 'm4a' }),
    ];
    const note = await service.concat(clips);
    assertVoiceNote(note, 5500, 150);
    assert.ok(parseOggOpus(note.data)?.channels === 1);
  });

  it('treats a single clip like toVoiceNote', async () => {
    const ogg = makeTone({ seconds: 1, format: 'ogg-opus' });
    assert.ok((await service.concat([ogg])).data.equals(ogg));
  });

  it('refuses empty, undecodable and soundless input as AUDIO_INVALID (permanent)', async () => {
    await assert.rejects(service.toVoiceNote(Buffer.alloc(0)), isAppError(ErrorCode.AUDIO_INVALID, 'empty'));
    await assert.rejects(service.concat([]), isAppError(ErrorCode.AUDIO_INVALID, 'empty'));
    const junk = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 251));
    await assert.rejects(service.toVoiceNote(junk), (err) => {
      isAppError(ErrorCode.AUDIO_INVALID, 'undecodable')(err);
      assert.equal(((err as AppError).details as { transient: boolean }).transient, false);
      return true;
    });
    const emptyWav = makeTone({ seconds: 1, format: 'wav' }).subarray(0, 44);
    await assert.rejects(service.toVoiceNote(emptyWav), isAppError(ErrorCode.AUDIO_INVALID));
  });

  it('reports a missing ffmpeg as FFMPEG_UNAVAILABLE', async () => {
    const broken = new VoiceNoteService(new AppConfig({ FFMPEG_PATH: '/nonexistent/ffmpeg' }));
    await assert.rejects(broken.toVoiceNote(makeTone({ seconds: 1, format: 'wav' })), isAppError(ErrorCode.FFMPEG_UNAVAILABLE));
  });

  it('kills ffmpeg on timeout and calls the failure transient', async () => {
    const long = makeTone({ seconds: 120, format: 'wav' });
    await assert.rejects(service.toVoiceNote(long, { timeoutMs: 5 }), (err) => {
      isAppError(ErrorCode.AUDIO_CONVERSION_FAILED, 'timeout')(err);
      assert.equal(((err as AppError).details as { transient: boolean }).transient, true);
      return true;
    });
  });
});
