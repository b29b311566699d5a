import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { locateFfmpeg } from '../../src/media/audio/ffmpeg-location';
import { createEspeakEngine, locateEspeak } from '../../src/tts/providers/espeak-engine';

/** The voices OpenAI's speech endpoint accepts. */
const VOICES = new Set(['alloy', 'ash', 'ballad', 'cedar', 'coral', 'echo', 'fable', 'marin', 'nova', 'onyx', 'sage', 'shimmer', 'verse']);
const MAX_INPUT = 4096;

export interface FakeSpeechRequest {
  authorization: string | undefined;
  body: {
    model?: unknown;
    voice?: unknown;
    input?: unknown;
    response_format?: unknown;
    speed?: unknown;
    instructions?: unknown;
    [key: string]: unknown;
  };
  /** What the fake answered with. */
  status: number;
  /** The audio returned (successful requests). */
  audio?: Buffer;
}

export type FakeFailure =
  | { status: 400 | 401 | 403 | 404 | 500 | 503 }
  | { status: 429; retryAfter?: string; code?: string }
  /** Accept the request and never answer (longer than any client timeout). */
  | { hang: true }
  /** Send the headers and the first bytes of the audio, then stall. */
  | { stallBody: true };

/**
 * A local stand-in for OpenAI's `POST /v1/audio/speech`: checks the Bearer key and
 * validates the body as OpenAI does (model, voice, input ≤ 4096 characters, speed 0.25–4),
 * answering errors in OpenAI's JSON shape. Success returns real speech, espeak-ng piped
 * through ffmpeg into the requested format (`opus` = Ogg Opus, as OpenAI sends it); audio is
 * generated once per text and settings. Every request is recorded, and tests can queue
 * failures: 401, 429 with retry-after, 500, or a hang.
 */
export class FakeOpenAiServer {
  readonly requests: FakeSpeechRequest[] = [];
  private readonly failures: FakeFailure[] = [];
  private readonly audioCache = new Map<string, Promise<Buffer>>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly apiKey: string,
  ) {}

  static async start(options: { apiKey?: string } = {}): Promise<FakeOpenAiServer> {
    let fake: FakeOpenAiServer | undefined;
    const server = createServer((req, res) => void fake!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    fake = new FakeOpenAiServer(server, `http://127.0.0.1:${port}`, options.apiKey ?? 'sk-test');
    server.on('connection', (socket) => {
      fake!.sockets.add(socket);
      socket.on('close', () => fake!.sockets.delete(socket));
    });
    return fake;
  }

  /** The next `times` requests fail this way (after being recorded). */
  failNext(failure: FakeFailure, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(failure);
  }

  /** Forgets recorded requests and queued failures; keeps generated audio. */
  reset(): void {
    this.requests.length = 0;
    this.failures.length = 0;
  }

  /** Generates (and keeps) the audio for these texts ahead of time, so requests answer at once. */
  async prepare(texts: string[], opts: { speed?: number; format?: string; voice?: string } = {}): Promise<void> {
    await Promise.all(texts.map((t) => this.audioFor(t, opts.speed ?? 1, opts.format ?? 'opus', opts.voice ?? 'coral')));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    if (req.method !== 'POST' || req.url !== '/v1/audio/speech') {
      return sendError(res, 404, { message: `Invalid URL (${req.method} ${req.url})`, type: 'invalid_request_error', param: null, code: null });
    }
    let body: FakeSpeechRequest['body'];
    try {
      body = JSON.parse(raw.toString('utf8')) as FakeSpeechRequest['body'];
    } catch {
      body = {};
    }
    const record: FakeSpeechRequest = { authorization: req.headers.authorization, body, status: 0 };
    this.requests.push(record);
    const respond = (status: number, error: OpenAiErrorBody, headers: Record<string, string> = {}) => {
      record.status = status;
      sendError(res, status, error, headers);
    };

    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      return respond(401, { message: 'Incorrect API key provided: sk-***. You can find your API key at https://platform.openai.com/account/api-keys.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' });
    }
    const failure = this.failures.shift();
    if (failure && 'hang' in failure) return; // the socket is destroyed by the client's timeout or by close()
    if (failure && 'stallBody' in failure) {
      const audio = await this.audioFor(String(body.input ?? ''), 1, 'opus', 'coral');
      record.status = 200;
      res.writeHead(200, { 'content-type': 'audio/ogg', 'content-length': String(audio.length) });
      res.write(audio.subarray(0, 100));
      return;
    }
    if (failure) {
      switch (failure.status) {
        case 429:
          return respond(429, {
            message: failure.code === 'insufficient_quota' ? 'You exceeded your current quota, please check your plan and billing details.' : 'Rate limit reached for requests',
            type: failure.code === 'insufficient_quota' ? 'insufficient_quota' : 'requests',
            param: null,
            code: failure.code ?? 'rate_limit_exceeded',
          }, failure.retryAfter ? { 'retry-after': failure.retryAfter } : {});
        case 401:
          return respond(401, { message: 'Incorrect API key provided: sk-***.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' });
        case 400:
          return respond(400, { message: 'Invalid request', type: 'invalid_request_error', param: null, code: null });
        default:
          return respond(failure.status, { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null });
      }
    }

    const invalid = validate(body);
    if (invalid) return respond(400, invalid);

    const format = (body.response_format as string | undefined) ?? 'mp3';
    const audio = await this.audioFor(body.input as string, (body.speed as number | undefined) ?? 1, format, body.voice as string);
    record.status = 200;
    record.audio = audio;
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[format] ?? 'application/octet-stream',
      'content-length': String(audio.length),
      'x-request-id': `req_${randomUUID().replace(/-/g, '')}`,
    });
    res.end(audio);
  }

  private audioFor(text: string, speed: number, format: string, voice: string): Promise<Buffer> {
    const key = JSON.stringify([text, speed, format, voice]);
    let audio = this.audioCache.get(key);
    if (!audio) {
      audio = synthesize(text, speed, format);
      audio.catch(() => this.audioCache.delete(key));
      this.audioCache.set(key, audio);
    }
    return audio;
  }
}

interface OpenAiErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

const CONTENT_TYPES: Record<string, string> = {
  opus: 'audio/ogg',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  aac: 'audio/aac',
  flac: 'audio/flac',
  pcm: 'audio/pcm',
};

const ENCODE: Record<string, string[]> = {
  opus: ['-ac', '1', '-ar', '24000', '-c:a', 'libopus', '-b:a', '32k', '-f', 'ogg'],
  mp3: ['-ac', '1', '-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3'],
  wav: ['-ac', '1', '-c:a', 'pcm_s16le', '-f', 'wav'],
  aac: ['-ac', '1', '-c:a', 'aac', '-f', 'adts'],
  flac: ['-ac', '1', '-c:a', 'flac', '-f', 'flac'],
  pcm: ['-ac', '1', '-ar', '24000', '-c:a', 'pcm_s16le', '-f', 's16le'],
};

function validate(body: FakeSpeechRequest['body']): OpenAiErrorBody | null {
  const bad = (param: string, message: string, code: string | null = 'invalid_value'): OpenAiErrorBody => ({
    message,
    type: 'invalid_request_error',
    param,
    code,
  });
  if (typeof body.model !== 'string' || !body.model) return bad('model', "Missing required parameter: 'model'.", 'missing_required_parameter');
  if (typeof body.input !== 'string') return bad('input', "Missing required parameter: 'input'.", 'missing_required_parameter');
  if (body.input.length > MAX_INPUT) {
    return bad('input', `Invalid 'input': string too long. Expected a string with maximum length ${MAX_INPUT}, but got a string with length ${body.input.length} instead.`, 'string_above_max_length');
  }
  if (typeof body.voice !== 'string' || !VOICES.has(body.voice)) {
    return bad('voice', `Invalid value for 'voice': '${String(body.voice)}'. Supported values are: ${[...VOICES].map((v) => `'${v}'`).join(', ')}.`);
  }
  if (body.speed !== undefined && (typeof body.speed !== 'number' || body.speed < 0.25 || body.speed > 4)) {
    return bad('speed', `Invalid 'speed': expected a number between 0.25 and 4.`);
  }
  if (body.response_format !== undefined && !(String(body.response_format) in ENCODE)) {
    return bad('response_format', `Invalid value for 'response_format'.`);
  }
  return null;
}

/** The ffmpeg and espeak-ng the app would pick here (system, else npm-packaged). */
const ffmpeg = locateFfmpeg().path;
const espeak = createEspeakEngine(locateEspeak(), 60_000);

/** espeak-ng speech for the text, encoded by ffmpeg; async so the app under test keeps running. */
async function synthesize(text: string, speed: number, format: string): Promise<Buffer> {
  const wav = await espeak.speak(text, 'en-us', Math.round(175 * speed));
  return run(ffmpeg, ['-nostdin', '-hide_banner', '-loglevel', 'error', '-i', 'pipe:0', ...ENCODE[format], 'pipe:1'], wav);
}

function run(bin: string, args: string[], input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`${bin} exited ${code}: ${err}`))));
  });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendError(res: ServerResponse, status: number, error: OpenAiErrorBody, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ error });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'x-request-id': `req_${randomUUID().replace(/-/g, '')}`,
    ...headers,
  });
  res.end(body);
}
