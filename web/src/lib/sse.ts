/**
 * Reading `GET /api/events` (Server-Sent Events) with `fetch`, which, unlike `EventSource`,
 * can send the Authorization header. Framework-free: unit-tested under Node
 * (test/unit/web/sse.spec.ts) with a fake fetch.
 */

export interface SseEvent {
  /** The last `id:` seen on the stream when this event was dispatched. */
  id: string | undefined;
  /** `event:` (default "message"). */
  event: string;
  /** The `data:` lines joined by "\n". */
  data: string;
}

/**
 * An incremental parser of the text/event-stream format (HTML Living Standard, 9.2.6): feed it
 * decoded text in chunks of any size; it returns the events completed by each chunk.
 */
export class SseParser {
  /** The last event id buffer: survives events, sent back as Last-Event-ID on reconnect. */
  lastEventId: string | undefined;
  /** The reconnection time the server asked for (`retry:`), in ms. */
  retry: number | undefined;
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private started = false;

  feed(chunk: string): SseEvent[] {
    if (!this.started && chunk.length) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    this.buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A lone "\r" at the very end may be the first half of "\r\n": wait for the next chunk.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.line(line);
      if (event) out.push(event);
    }
    return out;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      if (!this.data.length) {
        this.event = '';
        return undefined;
      }
      const event: SseEvent = { id: this.lastEventId, event: this.event || 'message', data: this.data.join('\n') };
      this.data = [];
      this.event = '';
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.event = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
    }
    return undefined;
  }
}

/** The parts of `fetch` the stream uses (structural, so tests can fake it). */
export interface StreamReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(): Promise<void>;
}
export interface StreamResponse {
  ok: boolean;
  status: number;
  body: { getReader(): StreamReader } | null;
}
export type StreamFetch = (url: string, init: { headers: Record<string, string>; signal: AbortSignal; cache: 'no-store' }) => Promise<StreamResponse>;

export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'closed';

export interface EventStreamOptions {
  url: string;
  /** The credential sent as `Authorization: Bearer`, read at every (re)connection. */
  token: () => string | null;
  fetch: StreamFetch;
  onEvent: (event: SseEvent) => void;
  onState?: (state: StreamState) => void;
  /** First reconnection delay when the server sent no `retry:` (ms). */
  retryMs?: number;
  /** The longest delay between attempts after repeated failures (ms). */
  maxRetryMs?: number;
  /** Waits `ms` or until `signal` aborts (injectable for tests). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface EventStreamHandle {
  close(): void;
  /** The id the next connection resumes after. */
  lastEventId(): string | undefined;
}

const defaultSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * The delay before reconnection attempt `failures` (0 after a stream that was open): the
 * server's `retry:` (or `base`), doubled per consecutive failure, capped at `max`.
 */
export function reconnectDelay(failures: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.min(failures, 16));
}

/**
 * Opens the stream and keeps it open: after a drop (server restart, network loss, the stream
 * ending) it reconnects with `Last-Event-ID`, so the server replays what was missed. A 401/403
 * stops it (the credential is no longer valid): state "unauthorized".
 */
export function openEventStream(options: EventStreamOptions): EventStreamHandle {
  const controller = new AbortController();
  const parser = new SseParser();
  const sleep = options.sleep ?? defaultSleep;
  const base = options.retryMs ?? 3000;
  const max = options.maxRetryMs ?? 30_000;
  const setState = (s: StreamState) => options.onState?.(s);

  const run = async () => {
    let failures = 0;
    while (!controller.signal.aborted) {
      setState(failures === 0 && parser.lastEventId === undefined ? 'connecting' : 'reconnecting');
      let opened = false;
      try {
        const token = options.token();
        const headers: Record<string, string> = { Accept: 'text/event-stream' };
        if (token) headers.Authorization = `Bearer ${token}`;
        if (parser.lastEventId !== undefined) headers['Last-Event-ID'] = parser.lastEventId;
        const res = await options.fetch(options.url, { headers, signal: controller.signal, cache: 'no-store' });
        if (res.status === 401 || res.status === 403) {
          setState('unauthorized');
          return;
        }
        if (res.ok && res.body) {
          opened = true;
          failures = 0;
          setState('open');
          const reader = res.body.getReader();
          const decoder = new TextDecoder();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            for (const event of parser.feed(decoder.decode(value, { stream: true }))) options.onEvent(event);
          }
        }
      } catch {
        /* network error or abort: reconnect below unless closed */
      }
      if (controller.signal.aborted) break;
      const delay = reconnectDelay(opened ? 0 : failures, parser.retry ?? base, max);
      if (!opened) failures++;
      setState('reconnecting');
      await sleep(delay, controller.signal);
    }
    setState('closed');
  };
  void run();
  return {
    close: () => controller.abort(),
    lastEventId: () => parser.lastEventId,
  };
}
