import { execFile, spawn } from 'node:child_process';
import { ErrorCode } from '../../common/errors/error-codes';
import type { AppConfig } from '../../config/app-config';
import { ttsError } from '../tts-errors';
import type { TtsAudio, TtsProvider, TtsSynthesisRequest, TtsVoice } from '../tts-provider.port';

/** espeak-ng's normal rate in words per minute; `speed` scales it. */
const NORMAL_WPM = 175;
const MIN_WPM = 80;
const MAX_WPM = 450;

/** The voices offered, when this machine's espeak-ng has them. */
const ESPEAK_VOICES: TtsVoice[] = [
  ['en-us', 'English (US)'],
  ['en-gb', 'English (UK)'],
  ['es', 'Spanish'],
  ['fr-fr', 'French'],
  ['de', 'German'],
  ['it', 'Italian'],
  ['pt-br', 'Portuguese (Brazil)'],
  ['hi', 'Hindi'],
  ['ar', 'Arabic (needs diacritics)'],
].map(([id, language]) => ({ id, name: `${language} (robotic, offline)` }));

/**
 * The offline fallback: Debian's espeak-ng, no key and no network. Robotic but
 * intelligible; its WAV output goes through the same ffmpeg step as any audio.
 */
export class EspeakTtsProvider implements TtsProvider {
  readonly id = 'espeak' as const;
  readonly label = 'eSpeak NG (offline, robotic)';
  readonly model = 'espeak-ng';
  readonly defaultVoice: string;
  readonly maxInputChars = 4096;
  private readonly path: string;
  private readonly timeoutMs: number;
  private installed: Promise<Set<string> | null> | undefined;

  constructor(config: AppConfig) {
    this.path = config.tts.espeakPath;
    this.defaultVoice = config.tts.defaultVoice ?? 'en-us';
    this.timeoutMs = config.audio.processTimeoutMs;
  }

  /** The offered voices this espeak-ng really has; all of them when it cannot be asked. */
  async voices(): Promise<TtsVoice[]> {
    const installed = await (this.installed ??= this.listInstalled());
    return installed ? ESPEAK_VOICES.filter((v) => installed.has(v.id)) : ESPEAK_VOICES;
  }

  supportsInstructions(): boolean {
    return false;
  }

  async synthesize(req: TtsSynthesisRequest): Promise<TtsAudio> {
    const wpm = Math.min(MAX_WPM, Math.max(MIN_WPM, Math.round(NORMAL_WPM * req.speed)));
    // Text goes through stdin, so a text starting with "-" is never read as an option.
    const audio = await this.run(['-v', req.voice, '-s', String(wpm), '-b', '1', '--stdout', '--stdin'], req.text);
    return { audio, format: 'wav' };
  }

  private run(args: string[], input: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let stderr = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, this.timeoutMs);
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-2048)));
      child.stdin.on('error', () => undefined);
      child.stdin.end(input, 'utf8');
      child.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          err.code === 'ENOENT' || err.code === 'EACCES'
            ? ttsError(ErrorCode.TTS_MISCONFIGURED, `espeak-ng could not be started (ESPEAK_PATH=${this.path}); install espeak-ng`, {
                provider: this.id,
                transient: false,
                reason: 'espeak_missing',
              }, err)
            : err,
        );
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        const cause = new Error(`espeak-ng exited with ${code}: ${stderr.trim()}`);
        if (timedOut) {
          reject(ttsError(ErrorCode.TTS_TIMEOUT, `espeak-ng took longer than ${this.timeoutMs} ms`, { provider: this.id, transient: true, reason: 'timeout' }, cause));
        } else if (code !== 0 || !out.length) {
          reject(ttsError(ErrorCode.TTS_PROVIDER_ERROR, 'espeak-ng failed', { provider: this.id, transient: false }, cause));
        } else {
          resolve(Buffer.concat(out));
        }
      });
    });
  }

  private listInstalled(): Promise<Set<string> | null> {
    return new Promise((resolve) => {
      execFile(this.path, ['--voices'], { timeout: 5000 }, (err, stdout) => {
        if (err) return resolve(null);
        // Columns: Pty Language Age/Gender VoiceName File Other Languages
        const ids = stdout
          .split('\n')
          .slice(1)
          .map((line) => line.trim().split(/\s+/)[1]?.toLowerCase())
          .filter((id): id is string => Boolean(id));
        resolve(new Set(ids));
      });
    });
  }
}
