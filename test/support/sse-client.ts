import { TEST_API_KEY } from './test-app';
import { waitTimeout } from './wait';

export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** A minimal Server-Sent Events client over fetch that records every frame. */
export class SseClient {
  readonly frames: SseFrame[] = [];
  ended = false;
  private waiters: (() => void)[] = [];

  private constructor(
    readonly response: Response,
    private readonly controller: AbortController,
  ) {}

  static async open(url: string, token: string = TEST_API_KEY, headers: Record<string, string> = {}): Promise<SseClient> {
    const controller = new AbortController();
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...headers }, signal: controller.signal });
    const client = new SseClient(response, controller);
    if (response.ok) void client.read();
    return client;
  }

  get events(): (SseFrame & { json: any })[] {
    return this.frames.filter((f) => f.event).map((f) => ({ ...f, json: JSON.parse(f.data!) }));
  }

  async waitFor(predicate: (c: SseClient) => boolean, requestedMs = 15_000): Promise<void> {
    const timeoutMs = waitTimeout(requestedMs);
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > deadline) throw new Error(`sse: condition not met in ${timeoutMs} ms (${this.ended ? 'stream ended' : 'stream open'}); frames: ${JSON.stringify(this.frames).slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.controller.abort();
  }

  private async read(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of this.response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const frame: SseFrame = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) frame.comment = line.slice(1).trim();
            else if (line.startsWith('id: ')) frame.id = line.slice(4);
            else if (line.startsWith('event: ')) frame.event = line.slice(7);
            else if (line.startsWith('data: ')) frame.data = (frame.data ? `${frame.data}\n` : '') + line.slice(6);
          }
          this.frames.push(frame);
        }
        this.notify();
      }
    } catch {
      /* aborted */
    }
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }
}
