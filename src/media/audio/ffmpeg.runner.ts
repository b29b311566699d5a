import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { audioConversionFailed, audioInvalid, ffmpegUnavailable } from './audio-errors';

export interface FfmpegJob {
  /** Arguments after the global ones; inputs and outputs refer to `pipe:0`, `pipe:1`, `pipe:3`… */
  args: string[];
  /** Fed to `pipe:0`. */
  stdin?: Buffer;
  /** File descriptors 3, 4, …: a Buffer is fed to ffmpeg (an input), `'out'` is collected (an output). */
  pipes?: Array<Buffer | 'out'>;
  /** The process is killed after this long. */
  timeoutMs: number;
  /** Output cap (stdout plus collected pipes); more is refused as AUDIO_INVALID too_large. */
  maxOutputBytes?: number;
}

export interface FfmpegResult {
  stdout: Buffer;
  /** One Buffer per entry of `pipes`; inputs give an empty Buffer. */
  pipes: Buffer[];
}

const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
const STDERR_TAIL = 4096;

/**
 * What ffmpeg prints when the input, not the machine, is the problem. Our arguments are
 * fixed, so a failure with one of these messages means the caller sent unusable audio.
 */
const NO_AUDIO = /matches no streams|does not contain any stream/i;
const INPUT_PROBLEM =
  /Invalid data found|could not find codec parameters|Failed to (find|read)|does not contain any stream|matches no streams|moov atom not found|Unknown input format|Invalid argument|End of file|no decoder|not supported/i;

/**
 * Runs ffmpeg once with buffers in and out (no shell, no temp files unless the caller uses
 * them). Kills it on timeout and turns every failure into an audio AppError.
 * @throws AppError FFMPEG_UNAVAILABLE, AUDIO_INVALID, AUDIO_CONVERSION_FAILED
 */
export function runFfmpeg(ffmpegPath: string, job: FfmpegJob): Promise<FfmpegResult> {
  const extra = job.pipes ?? [];
  const maxOutput = job.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  return new Promise<FfmpegResult>((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(ffmpegPath, ['-nostdin', '-hide_banner', '-loglevel', 'error', ...job.args], {
        stdio: ['pipe', 'pipe', 'pipe', ...extra.map(() => 'pipe' as const)],
      });
    } catch (err) {
      reject(ffmpegUnavailable(ffmpegPath, err));
      return;
    }

    let settled = false;
    let outputBytes = 0;
    let stderr = '';
    let killedFor: 'timeout' | 'too_large' | undefined;
    const stdout: Buffer[] = [];
    const collected: Buffer[][] = extra.map(() => []);

    const finish = (err: unknown, result?: FfmpegResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(result!);
    };
    const kill = (reason: 'timeout' | 'too_large') => {
      killedFor ??= reason;
      child.kill('SIGKILL');
    };
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      outputBytes += chunk.length;
      if (outputBytes > maxOutput) kill('too_large');
      else into.push(chunk);
    };

    const timer = setTimeout(() => kill('timeout'), job.timeoutMs);

    child.on('error', (err: NodeJS.ErrnoException) => {
      child.kill('SIGKILL');
      finish(err.code === 'ENOENT' || err.code === 'EACCES' ? ffmpegUnavailable(ffmpegPath, err) : err);
    });
    child.stdout!.on('data', collect(stdout));
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    // ffmpeg may stop reading early (bad input); the exit code says what happened, not EPIPE.
    feed(child.stdin!, job.stdin);
    extra.forEach((pipe, i) => {
      const stream = child.stdio[3 + i] as (Readable & Writable) | null;
      if (!stream) return;
      if (pipe === 'out') stream.on('data', collect(collected[i]));
      else feed(stream, pipe);
    });

    child.on('close', (code, signal) => {
      const cause = new Error(`ffmpeg exited with ${code ?? signal}: ${stderr.trim()}`);
      if (killedFor === 'timeout') {
        finish(
          audioConversionFailed(`Audio conversion took longer than ${job.timeoutMs} ms`, {
            reason: 'timeout',
            transient: true,
            timeoutMs: job.timeoutMs,
          }, cause),
        );
      } else if (killedFor === 'too_large') {
        finish(audioInvalid('The audio is too long to convert', 'too_large', cause));
      } else if (code !== 0 && NO_AUDIO.test(stderr)) {
        finish(audioInvalid('The file contains no audio stream', 'no_audio', cause));
      } else if (code !== 0) {
        finish(
          INPUT_PROBLEM.test(stderr)
            ? audioInvalid('The audio could not be decoded', 'undecodable', cause)
            : audioConversionFailed('Audio conversion failed', { reason: 'ffmpeg_failed', transient: signal !== null }, cause),
        );
      } else {
        finish(null, {
          stdout: Buffer.concat(stdout),
          pipes: collected.map((chunks) => Buffer.concat(chunks)),
        });
      }
    });
  });
}

function feed(stream: Writable, data: Buffer | undefined): void {
  stream.on('error', () => undefined);
  stream.end(data);
}
