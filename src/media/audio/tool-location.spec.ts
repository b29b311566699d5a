import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AppConfig } from '../../config/app-config';
import { locateEspeak } from '../../tts/providers/espeak-engine';
import { bundledFfmpegPath, describeFfmpeg, locateFfmpeg } from './ffmpeg-location';
import { findOnPath, locateTool } from './tool-location';
import { VoiceNoteService } from './voice-note.service';

describe('locating ffmpeg and espeak-ng', () => {
  const root = mkdtempSync(join(tmpdir(), 'tool-location-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const dir = (name: string) => mkdtempSync(join(root, `${name}-`));
  const bundled = bundledFfmpegPath();

  it('ships an ffmpeg binary in the npm package for this platform', () => {
    assert.ok(bundled, '@ffmpeg-installer has a binary for this platform');
  });

  it('prefers an explicit path, then PATH, then the npm package', () => {
    const empty = dir('empty');
    const withFfmpeg = dir('with');
    symlinkSync(bundled!, join(withFfmpeg, 'ffmpeg'));

    assert.deepEqual(locateFfmpeg('/opt/ffmpeg/bin/ffmpeg', withFfmpeg), { path: '/opt/ffmpeg/bin/ffmpeg', source: 'configured' });
    assert.deepEqual(locateFfmpeg('ffmpeg', [empty, withFfmpeg].join(delimiter)), { path: join(withFfmpeg, 'ffmpeg'), source: 'system' });
    assert.deepEqual(locateFfmpeg('ffmpeg', empty), { path: bundled, source: 'bundled' });
    assert.deepEqual(locateEspeak('espeak-ng', empty), { path: '@echogarden/espeak-ng-emscripten', source: 'bundled' });
    assert.deepEqual(locateTool('tool', 'tool', () => undefined, empty), { path: 'tool', source: 'missing' });
  });

  it('skips files on PATH that are not executable, and directories', () => {
    const notExecutable = dir('noexec');
    writeFileSync(join(notExecutable, 'ffmpeg'), '#!/bin/sh\n');
    chmodSync(join(notExecutable, 'ffmpeg'), 0o644);
    const withDirectory = dir('directory');
    mkdirSync(join(withDirectory, 'ffmpeg'));
    assert.equal(findOnPath('ffmpeg', [notExecutable, withDirectory].join(delimiter)), undefined);
    chmodSync(join(notExecutable, 'ffmpeg'), 0o755);
    assert.equal(findOnPath('ffmpeg', [withDirectory, notExecutable].join(delimiter)), join(notExecutable, 'ffmpeg'));
  });

  it('reports the source and version, and a configured path that does not start as unavailable', async () => {
    const report = await describeFfmpeg({ path: bundled!, source: 'bundled' });
    assert.equal(report.source, 'bundled');
    assert.equal(report.available, true);
    assert.match(report.version ?? '', /\S/);
    const broken = new VoiceNoteService(new AppConfig({ FFMPEG_PATH: '/nonexistent/ffmpeg' }));
    assert.deepEqual(await broken.describeFfmpeg(), { source: 'configured', available: false });
  });
});
