import assert from 'node:assert/strict';
import { describe, it } from '../../support/node-test';
import { openEventStream, reconnectDelay, SseParser, type SseEvent, type StreamFetch, type StreamResponse } from '../../../web/src/lib/sse';
import { waitFor } from '../../support/wait';

describe('dashboard: the event-stream parser', () => {
  it('parses events with ids, types and multi-line data, skipping comments', () => {
    const p = new SseParser();
    const events = p.feed('retry: 3000\n: connected\n\nid: 41\nevent: session.status\ndata: {"a":1}\n\n: ping\n\nid: 42\ndata: line one\ndata: line two\n\n');
    assert.deepEqual(events, [
      { id: '41', event: 'session.status', data: '{"a":1}' },
      { id: '42', event: 'message', data: 'line one\nline two' },
    ]);
    assert.equal(p.retry, 3000);
    assert.equal(p.lastEventId, '42');
  });

  it('gives the same events whatever the chunking, CRLF and CR line ends included', () => {
    const text = '\uFEFFid: 7\r\nevent: session.qr\r\ndata: {"qr":"2@abc"}\r\n\r\nid: 8\revent: x\rdata:no-space\r\r\n';
    const whole = new SseParser().feed(text);
    assert.equal(whole.length, 2);
    for (let size = 1; size <= 7; size++) {
      const p = new SseParser();
      const got: SseEvent[] = [];
      for (let i = 0; i < text.length; i += size) got.push(...p.feed(text.slice(i, i + size)));
      assert.deepEqual(got, whole, `chunks of ${size}`);
    }
    assert.deepEqual(whole[1], { id: '8', event: 'x', data: 'no-space' });
  });

  it('ignores an event without data, a bad retry and an id with NUL; keeps the last id across events', () => {
    const p = new SseParser();
    assert.deepEqual(p.feed('id: 5\nevent: nothing\n\nretry: soon\nid: a\u0000b\ndata: x\n\n'), [{ id: '5', event: 'message', data: 'x' }]);
    assert.equal(p.retry, undefined);
  });
});

/** A response whose body yields `chunks`, then ends (or hangs until aborted when `hang`). */
function streamOf(chunks: string[], opts: { status?: number; hang?: boolean; signal?: AbortSignal } = {}): StreamResponse {
  const queue = chunks.map((c) => new TextEncoder().encode(c));
  return {
    ok: (opts.status ?? 200) < 300,
    status: opts.status ?? 200,
    body: {
      getReader: () => ({
        read: async () => {
          const next = queue.shift();
          if (next) return { done: false, value: next };
          if (opts.hang) await new Promise<void>((_, reject) => opts.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
          return { done: true };
        },
        cancel: async () => undefined,
      }),
    },
  };
}

describe('dashboard: the event stream connection', () => {
  it('sends the token, reconnects after a drop with Last-Event-ID and the server retry, and stops on close', async () => {
    const calls: Record<string, string>[] = [];
    const sleeps: number[] = [];
    const answers = [
      () => streamOf(['retry: 1500\n\nid: 10\nevent: session.status\ndata: {}\n\nid: 11\nevent: session.qr\ndata: {}\n\n']),
      () => {
        throw new TypeError('network down');
      },
      (signal: AbortSignal) => streamOf(['id: 12\nevent: message.status\ndata: {}\n\n'], { hang: true, signal }),
    ];
    const fetch: StreamFetch = async (_url, init) => {
      calls.push(init.headers);
      return answers[calls.length - 1](init.signal);
    };
    const events: string[] = [];
    const states: string[] = [];
    const stream = openEventStream({
      url: '/api/events',
      token: () => 'tok-1',
      fetch,
      onEvent: (e) => events.push(`${e.id}:${e.event}`),
      onState: (s) => states.push(s),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    await waitFor(() => events.length === 3, { what: 'three events' });
    assert.deepEqual(events, ['10:session.status', '11:session.qr', '12:message.status']);
    assert.equal(calls[0].Authorization, 'Bearer tok-1');
    assert.equal(calls[0]['Last-Event-ID'], undefined);
    assert.equal(calls[1]['Last-Event-ID'], '11');
    assert.equal(calls[2]['Last-Event-ID'], '11');
    // After an open stream drops: the server's retry; after a failed attempt: doubled.
    assert.deepEqual(sleeps, [1500, 1500]);
    assert.equal(stream.lastEventId(), '12');
    stream.close();
    await waitFor(() => states.at(-1) === 'closed', { what: 'closed' });
    assert.deepEqual(states.slice(0, 3), ['connecting', 'open', 'reconnecting']);
    assert.ok(states.includes('open'));
  });

  it('backs off on repeated failures and stops for good on 401', async () => {
    let n = 0;
    const sleeps: number[] = [];
    const states: string[] = [];
    openEventStream({
      url: '/api/events',
      token: () => 'revoked',
      fetch: async () => {
        n++;
        return n <= 3 ? streamOf([], { status: 503 }) : streamOf([], { status: 401 });
      },
      onEvent: () => undefined,
      onState: (s) => states.push(s),
      retryMs: 1000,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    await waitFor(() => states.at(-1) === 'unauthorized', { what: 'unauthorized' });
    assert.deepEqual(sleeps, [1000, 2000, 4000]);
    assert.equal(n, 4);
  });

  it('caps the delay', () => {
    assert.equal(reconnectDelay(0, 3000, 30_000), 3000);
    assert.equal(reconnectDelay(3, 3000, 30_000), 24_000);
    assert.equal(reconnectDelay(50, 3000, 30_000), 30_000);
  });
});
