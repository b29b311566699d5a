import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ErrorCode } from '../../common/errors/error-codes';
import { locateTool, readVersion, type ToolLocation, type ToolReport } from '../../media/audio/tool-location';
import { ttsError } from '../tts-errors';
import type { EspeakWasmRequest, EspeakWasmResponse } from './espeak-wasm.worker';

/** ESPEAK_PATH's default: look for `espeak-ng` on PATH, then use the WebAssembly build. */
export const DEFAULT_ESPEAK = 'espeak-ng';
const WASM_PACKAGE = '@echogarden/espeak-ng-emscripten';

/** Speaks text with espeak-ng, either the system program or the WebAssembly build shipped on npm. */
export interface EspeakEngine {
  readonly location: ToolLocation;
  /** Those of `voices` (`lang` or `lang+variant`) this engine can speak; null when it cannot tell. */
  available(voices: string[]): Promise<Set<string> | null>;
  /**
   * 16-bit mono WAV of `text`.
   * @throws AppError TTS_MISCONFIGURED (engine missing), TTS_TIMEOUT, TTS_PROVIDER_ERROR
   */
  speak(text: string, voice: string, wpm: number): Promise<Buffer>;
  describe(): Promise<ToolReport>;
}

/**
 * The espeak-ng to use: an explicit ESPEAK_PATH, else `espeak-ng` on PATH, else the
 * WebAssembly build (`path` is then the npm package's name).
 */
export function locateEspeak(configured: string = DEFAULT_ESPEAK, pathVariable?: string): ToolLocation {
  return locateTool(configured, DEFAULT_ESPEAK, () => (wasmInstalled() ? WASM_PACKAGE : undefined), pathVariable);
}

/** Where the espeak-ng for ESPEAK_PATH comes from and its version, without starting a synthesis. */
export function describeEspeak(configured: string = DEFAULT_ESPEAK): Promise<ToolReport> {
  return createEspeakEngine(locateEspeak(configured), 5_000).describe();
}

export function createEspeakEngine(location: ToolLocation, timeoutMs: number): EspeakEngine {
  return location.source === 'bundled' ? new WasmEspeakEngine(location, timeoutMs) : new ProcessEspeakEngine(location, timeoutMs);
}

/** The installed WebAssembly package's version, or undefined when it is not installed. */
function wasmVersion(): string | undefined {
  try {
    // Its package.json sits next to its entry point (`main`); no subpath import needed.
    const pkg = JSON.parse(readFileSync(join(dirname(require.resolve(WASM_PACKAGE)), 'package.json'), 'utf8')) as { name?: string; version?: string };
    return pkg.name === WASM_PACKAGE ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

function wasmInstalled(): boolean {
  return wasmVersion() !== undefined;
}

const missing = (message: string, cause?: unknown) =>
  ttsError(ErrorCode.TTS_MISCONFIGURED, message, { provider: 'espeak', transient: false, reason: 'espeak_missing' }, cause);
const timedOut = (timeoutMs: number, cause?: unknown) =>
  ttsError(ErrorCode.TTS_TIMEOUT, `espeak-ng took longer than ${timeoutMs} ms`, { provider: 'espeak', transient: true, reason: 'timeout' }, cause);
const failed = (cause: unknown) => ttsError(ErrorCode.TTS_PROVIDER_ERROR, 'espeak-ng failed', { provider: 'espeak', transient: false }, cause);

/** The espeak-ng program, one process per request; text goes in on stdin, WAV comes out on stdout. */
class ProcessEspeakEngine implements EspeakEngine {
  private installed: Promise<Set<string> | null> | undefined;

  constructor(
    readonly location: ToolLocation,
    private readonly timeoutMs: number,
  ) {}

  async available(voices: string[]): Promise<Set<string> | null> {
    const installed = await (this.installed ??= this.listLanguages());
    return installed && new Set(voices.filter((v) => installed.has(v.split('+')[0])));
  }

  async describe(): Promise<ToolReport> {
    const version = await readVersion(this.location.path, ['--version'], /text-to-speech:\s*(\S+)/);
    return { source: this.location.source, available: version !== undefined, ...(version && { version }) };
  }

  speak(text: string, voice: string, wpm: number): Promise<Buffer> {
    // Text goes through stdin, so a text starting with "-" is never read as an option.
    const args = ['-v', voice, '-s', String(wpm), '-b', '1', '--stdout', '--stdin'];
    return new Promise((resolve, reject) => {
      const child = spawn(this.location.path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let stderr = '';
      let timedOutAfter = false;
      const timer = setTimeout(() => {
        timedOutAfter = true;
        child.kill('SIGKILL');
      }, this.timeoutMs);
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-2048)));
      child.stdin.on('error', () => undefined);
      child.stdin.end(text, 'utf8');
      child.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          err.code === 'ENOENT' || err.code === 'EACCES'
            ? missing(`espeak-ng could not be started (${this.location.path}); install espeak-ng, or unset ESPEAK_PATH to use the WebAssembly build`, err)
            : err,
        );
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        const cause = new Error(`espeak-ng exited with ${code}: ${stderr.trim()}`);
        if (timedOutAfter) reject(timedOut(this.timeoutMs, cause));
        else if (code !== 0 || !out.length) reject(failed(cause));
        else resolve(Buffer.concat(out));
      });
    });
  }

  private listLanguages(): Promise<Set<string> | null> {
    return new Promise((resolve) => {
      execFile(this.location.path, ['--voices'], { timeout: 5000 }, (err, stdout) => {
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

interface Job {
  request: EspeakWasmRequest;
  resolve: (res: EspeakWasmResponse) => void;
  reject: (err: unknown) => void;
}

/**
 * espeak-ng compiled to WebAssembly (`@echogarden/espeak-ng-emscripten`, voice data inside
 * the package, nothing downloaded). Runs in one worker thread, one request at a time; a
 * request that takes longer than the timeout ends the worker and the next one starts afresh.
 */
class WasmEspeakEngine implements EspeakEngine {
  private worker: Worker | undefined;
  private readonly queue: Job[] = [];
  private current: (Job & { timer: NodeJS.Timeout }) | undefined;
  private nextId = 1;
  private voices: Promise<Set<string>> | undefined;

  constructor(
    readonly location: ToolLocation,
    private readonly timeoutMs: number,
  ) {}

  async available(voices: string[]): Promise<Set<string> | null> {
    try {
      return await (this.voices ??= this.call({ id: 0, voices }).then((res) => new Set('voices' in res ? res.voices : [])));
    } catch {
      this.voices = undefined;
      return null;
    }
  }

  async describe(): Promise<ToolReport> {
    const version = wasmVersion();
    return version ? { source: 'bundled', available: true, version: `${WASM_PACKAGE}@${version}` } : { source: 'missing', available: false };
  }

  async speak(text: string, voice: string, wpm: number): Promise<Buffer> {
    const res = await this.call({ id: 0, text, voice, wpm });
    if ('wav' in res) return Buffer.from(res.wav.buffer, res.wav.byteOffset, res.wav.byteLength);
    throw failed(new Error('unexpected answer from the espeak-ng worker'));
  }

  private call(request: EspeakWasmRequest): Promise<EspeakWasmResponse> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { ...request, id: this.nextId++ }, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.current || !this.queue.length) {
      if (!this.current) this.worker?.unref();
      return;
    }
    const job = this.queue.shift()!;
    let worker: Worker;
    try {
      worker = this.ensureWorker();
    } catch (err) {
      job.reject(missing('The WebAssembly espeak-ng could not be started', err));
      this.pump();
      return;
    }
    worker.ref();
    const timer = setTimeout(() => {
      this.stopWorker();
      this.settle(job.request.id, timedOut(this.timeoutMs));
    }, this.timeoutMs);
    this.current = { ...job, timer };
    worker.postMessage(job.request);
  }

  private settle(id: number, outcome: EspeakWasmResponse | Error): void {
    const job = this.current;
    if (!job || job.request.id !== id) return;
    clearTimeout(job.timer);
    this.current = undefined;
    if (outcome instanceof Error) job.reject(outcome);
    else if ('error' in outcome) job.reject(failed(new Error(outcome.error)));
    else job.resolve(outcome);
    this.pump();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const script = join(__dirname, 'espeak-wasm.worker.js');
    if (!existsSync(script)) throw new Error(`${script} is missing (build the project first)`);
    const worker = new Worker(script);
    worker.on('message', (res: EspeakWasmResponse) => this.settle(res.id, res));
    // A worker that dies on its own fails the request it was working on; one we stopped does not.
    const died = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      void worker.terminate();
      if (this.current) this.settle(this.current.request.id, failed(err));
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`the espeak-ng worker stopped with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private stopWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }
}
