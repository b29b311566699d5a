import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { waitTimeout } from './wait';

/**
 * App settings for webhook tests: no send pacing, quick receipts, and retries measured in tens of
 * milliseconds instead of seconds, so a retried delivery finishes within a test.
 */
export const FAST_WEBHOOK_ENV = {
  DEFAULT_MIN_DELAY_MS: '0',
  DEFAULT_MAX_DELAY_MS: '0',
  SANDBOX_RECEIPT_DELAY_MS: '10',
  WEBHOOK_RETRY_BASE_MS: '30',
  WEBHOOK_RETRY_MAX_MS: '200',
  WEBHOOK_MAX_ATTEMPTS: '8',
  // Long enough that a loaded machine never times out an answered request; one test waits it out.
  WEBHOOK_TIMEOUT_MS: '5000',
  WEBHOOK_POLL_INTERVAL_MS: '50',
} as const;

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body bytes exactly as they arrived. */
  rawBody: Buffer;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: any;
  receivedAt: number;
  /** What the receiver answered: a status, or 'hang' / 'drop'. */
  answer: number | 'hang' | 'drop';
}

/** How to answer a request that fails: an HTTP status, never answer, or reset the connection. */
export type Failure = number | 'hang' | 'drop';

/**
 * A local webhook receiver (node:http) that records every request with its raw bytes and
 * headers, and can be told to fail: always, until a time, for the next N requests, or for a
 * fraction of requests (seeded, so runs repeat).
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  private failure: Failure = 500;
  private failUntil = 0;
  private failNext = 0;
  private failRate = 0;
  private random = mulberry32(42);
  private delayMs = 0;
  private script: Failure[] = [];
  private location: string | null = null;
  private waiters: (() => void)[] = [];
  private refusing: ((body: any) => boolean) | null = null;
  private inFlight = 0;
  /** The most requests this receiver was answering at one time. */
  maxInFlight = 0;
  url = '';

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await receiver.listen();
    return receiver;
  }

  private async listen(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  /** Requests answered 2xx. */
  get accepted(): ReceivedRequest[] {
    return this.requests.filter((r) => typeof r.answer === 'number' && r.answer >= 200 && r.answer < 300);
  }

  /** Fail every request (with `how`) until `ok()` is called. */
  down(how: Failure = 500): void {
    this.failure = how;
    this.failUntil = Infinity;
  }

  /** Fail every request for the next `ms` milliseconds. */
  downFor(ms: number, how: Failure = 500): void {
    this.failure = how;
    this.failUntil = Date.now() + ms;
  }

  /** Fail the next `n` requests. */
  failNextRequests(n: number, how: Failure = 500): void {
    this.failure = how;
    this.failNext = n;
  }

  /** Fail this fraction of requests, chosen by a seeded random sequence. */
  failFraction(rate: number, how: Failure = 500, seed = 42): void {
    this.failure = how;
    this.failRate = rate;
    this.random = mulberry32(seed);
  }

  /** Answer the next requests with these answers, one each, in order (before any other rule). */
  answerNext(answers: Failure[]): void {
    this.script.push(...answers);
  }

  /** 3xx answers carry `Location: url` (a redirecting receiver). */
  redirectTo(url: string): void {
    this.location = url;
  }

  /** Answer 500 to every request whose parsed body matches (one chat's receiver failing), until `ok()`. */
  refuseWhen(predicate: (body: any) => boolean): void {
    this.refusing = predicate;
  }

  /** Answer every request after `ms` (a slow receiver). */
  slow(ms: number): void {
    this.delayMs = ms;
  }

  /** Back to answering 200 at once. Hanging requests stay hung. */
  ok(): void {
    this.failUntil = 0;
    this.failNext = 0;
    this.failRate = 0;
    this.delayMs = 0;
    this.refusing = null;
  }

  /** Resolves once `predicate` holds for the recorded requests (checked on every request). */
  async waitFor(predicate: (r: WebhookReceiver) => boolean, requestedMs = 30_000): Promise<void> {
    const timeoutMs = waitTimeout(requestedMs);
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`webhook receiver: condition not met in ${timeoutMs} ms (${this.requests.length} requests, ${this.accepted.length} accepted)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    res.on('close', () => this.inFlight--);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    let body: any;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      body = undefined;
    }
    const answer = this.refusing?.(body) ? 500 : this.decide();
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, rawBody, body, receivedAt: Date.now(), answer });
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
    if (answer === 'hang') {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    if (answer === 'drop') {
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'text/plain' };
    if (this.location && answer >= 300 && answer < 400) headers.location = this.location;
    res.writeHead(answer, headers).end(answer < 300 ? 'ok' : `failing on purpose (${answer})`);
  }

  private decide(): number | 'hang' | 'drop' {
    const scripted = this.script.shift();
    if (scripted !== undefined) return scripted;
    if (Date.now() < this.failUntil) return this.failure;
    if (this.failNext > 0) {
      this.failNext--;
      return this.failure;
    }
    if (this.failRate > 0 && this.random() < this.failRate) return this.failure;
    return 200;
  }
}

/**
 * The check documented for receivers: recompute HMAC-SHA256 over `"<timestamp>.<raw body>"`
 * with the webhook's secret, compare it in constant time with `X-Switchboard-Signature`
 * (`sha256=<hex>`), and reject timestamps more than `toleranceSeconds` from now (replays).
 */
export function verifySignature(secret: string, headers: IncomingHttpHeaders, rawBody: Buffer, toleranceSeconds = 300): boolean {
  const timestamp = headers['x-switchboard-timestamp'];
  const signature = headers['x-switchboard-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string' || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A small seeded PRNG, so a "30 % failures" run fails the same requests every time. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
