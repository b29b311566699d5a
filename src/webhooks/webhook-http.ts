import http from 'node:http';
import https from 'node:https';
import { UrlGuard } from '../common/net/url-guard';

/** Response bytes kept in the attempt log. */
export const RESPONSE_BODY_LOG_BYTES = 1024;

/** Idle keep-alive connections to receivers are closed after this long. */
const IDLE_SOCKET_MS = 4_000;

/** The attempt error of a delivery whose target resolves to an address it may not reach. */
export const TARGET_NOT_ALLOWED = 'Target address not allowed';

/**
 * Where deliveries may connect, by who set the webhook's URL. Each policy has its own
 * keep-alive agents, so a connection opened under one policy is never reused under another,
 * and every new connection's address is checked in the agent's DNS lookup (the address
 * connected to is the one checked: no DNS-rebinding window).
 */
export class WebhookTransport {
  readonly guard: UrlGuard;
  readonly agents: { 'http:': http.Agent; 'https:': https.Agent };

  constructor(guard: UrlGuard) {
    this.guard = guard;
    const lookup = guard.lookup(() => Object.assign(new Error(TARGET_NOT_ALLOWED), { code: 'TARGET_NOT_ALLOWED' }));
    // An idle connection is dropped before a receiver's usual 5 s keep-alive timeout, so a
    // request is not sent on a socket the receiver is closing at that moment.
    const options = { keepAlive: true, timeout: IDLE_SOCKET_MS, lookup };
    this.agents = { 'http:': new http.Agent(options), 'https:': new https.Agent(options) };
  }

  destroy(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}

export interface AttemptResult {
  ok: boolean;
  startedAt: Date;
  durationMs: number;
  /** Null when no response arrived. */
  statusCode: number | null;
  error: string | null;
  /** The first KB of the response body, if any. */
  responseBody: string | null;
}

/**
 * POSTs one webhook body through `transport`. 2xx is success; anything else (other statuses,
 * redirects, which are not followed, timeouts, connection errors, a target address the
 * transport may not reach) is a failure described in `error`. Never throws.
 */
export function postWebhook(
  transport: WebhookTransport,
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  cancel?: AbortSignal,
): Promise<AttemptResult> {
  return requestWebhook(transport, 'POST', url, body, headers, timeoutMs, cancel);
}

/**
 * One request to a webhook receiver through `transport` (`postWebhook`, or a format's GET
 * handshake), with the same address rules, timeout and capped body. Never throws.
 */
export async function requestWebhook(
  transport: WebhookTransport,
  method: 'GET' | 'POST',
  url: string,
  body: string | null,
  headers: Record<string, string>,
  timeoutMs: number,
  cancel?: AbortSignal,
): Promise<AttemptResult> {
  const startedAt = new Date();
  const started = performance.now();
  const done = (r: Omit<AttemptResult, 'startedAt' | 'durationMs'>): AttemptResult => ({
    ...r,
    startedAt,
    durationMs: Math.round(performance.now() - started),
  });
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return done({ ok: false, statusCode: null, error: 'Invalid URL', responseBody: null });
  }
  // Literal IPs skip the DNS lookup, so they are checked here.
  if (!transport.guard.allowsLiteral(target)) return done({ ok: false, statusCode: null, error: TARGET_NOT_ALLOWED, responseBody: null });
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onCancel = () => controller.abort();
  cancel?.addEventListener('abort', onCancel, { once: true });
  try {
    const res = await send(transport, method, target, body, headers, controller.signal);
    const responseBody = await readCapped(res, RESPONSE_BODY_LOG_BYTES);
    const status = res.statusCode ?? 0;
    const ok = status >= 200 && status < 300;
    return done({ ok, statusCode: status, error: ok ? null : `HTTP ${status}`, responseBody });
  } catch (err) {
    const error = timedOut ? `Timed out after ${timeoutMs} ms` : cancel?.aborted ? 'Canceled at shutdown' : describe(err);
    return done({ ok: false, statusCode: null, error, responseBody: null });
  } finally {
    clearTimeout(timer);
    cancel?.removeEventListener('abort', onCancel);
  }
}

function send(transport: WebhookTransport, method: string, url: URL, body: string | null, headers: Record<string, string>, signal: AbortSignal): Promise<http.IncomingMessage> {
  const protocol = url.protocol === 'https:' ? 'https:' : 'http:';
  const client = protocol === 'https:' ? https : http;
  const payload = body === null ? null : Buffer.from(body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method,
      agent: transport.agents[protocol],
      headers: { accept: '*/*', ...headers, ...(payload && { 'content-length': String(payload.length) }) },
      signal,
    });
    req.on('response', resolve);
    req.on('error', reject);
    if (payload) req.end(payload);
    else req.end();
  });
}

/** Reads at most `limit` bytes of the body and drops the rest (a huge answer costs nothing). */
function readCapped(res: http.IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = () => resolve(size ? Buffer.concat(chunks).subarray(0, limit).toString('utf8') : null);
    res.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) {
        res.destroy();
        finish();
      }
    });
    res.on('end', finish);
    res.on('error', (err) => (size >= limit ? undefined : reject(err)));
    // Cut off mid-body (timeout, shutdown): no 'end'. A no-op once resolved.
    res.on('close', () => (size >= limit ? undefined : reject(new Error('Connection closed before the response ended'))));
  });
}

/** A connection error as the attempt log shows it: `connect ECONNREFUSED 127.0.0.1:9`, `socket hang up: ECONNRESET`, … */
function describe(err: unknown): string {
  const e = err as { message?: string; code?: string };
  if (e?.code === 'TARGET_NOT_ALLOWED') return TARGET_NOT_ALLOWED;
  const message = e?.message || 'Request failed';
  return e?.code && !message.includes(e.code) ? `${message}: ${e.code}` : message;
}
