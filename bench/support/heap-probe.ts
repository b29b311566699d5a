/**
 * Memory of another Node process, read through its inspector (start it with
 * `--inspect=127.0.0.1:<port>`, see `inspectArgs`): a forced full garbage collection first, so
 * the figures are what is still referenced, not garbage not yet collected. Used by the
 * benchmarks to tell a leak (heap after GC keeps growing) from warm-up (RSS grows while the
 * heap after GC stays flat).
 */
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { freePort } from '../../test/support/server-process';

export interface MemorySample {
  /** Seconds since the probe was opened. */
  t: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
}

export interface HeapProbe {
  /** Full GC, then the process's memoryUsage(). */
  sample(): Promise<MemorySample>;
  /**
   * Full GC, then a heap snapshot summarized as live object counts and self sizes by
   * constructor (or node type): the growth between two of them names what accumulates.
   */
  objectCounts(): Promise<Map<string, { count: number; bytes: number }>>;
  close(): void;
}

/** Node arguments that open the inspector on a free loopback port; pass `port` to openHeapProbe. */
export async function inspectArgs(): Promise<{ port: number; nodeArgs: string[] }> {
  const port = await freePort();
  return { port, nodeArgs: [`--inspect=127.0.0.1:${port}`] };
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

export async function openHeapProbe(port: number): Promise<HeapProbe> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl, { maxPayload: 1024 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let chunkSink: ((chunk: string) => void) | null = null;
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    if (msg.method === 'HeapProfiler.addHeapSnapshotChunk') return chunkSink?.(msg.params.chunk);
    const waiter = msg.id !== undefined ? pending.get(msg.id) : undefined;
    if (!waiter) return;
    pending.delete(msg.id);
    if (msg.error) waiter.reject(new Error(`${msg.error.message}`));
    else waiter.resolve(msg.result);
  });
  const call = (method: string, params: Record<string, unknown> = {}): Promise<any> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  const started = Date.now();

  return {
    sample: async () => {
      await call('HeapProfiler.collectGarbage');
      const { result } = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
      const m = JSON.parse(result.value as string) as NodeJS.MemoryUsage;
      return {
        t: Math.round((Date.now() - started) / 100) / 10,
        rssMb: mb(m.rss),
        heapUsedMb: mb(m.heapUsed),
        heapTotalMb: mb(m.heapTotal),
        externalMb: mb(m.external),
        arrayBuffersMb: mb(m.arrayBuffers),
      };
    },
    objectCounts: async () => {
      await call('HeapProfiler.collectGarbage');
      const chunks: string[] = [];
      chunkSink = (chunk) => chunks.push(chunk);
      await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      chunkSink = null;
      return summarizeSnapshot(JSON.parse(chunks.join('')));
    },
    close: () => ws.close(),
  };
}

/** Live objects by constructor name (objects) or node type (strings, closures, arrays…). */
function summarizeSnapshot(snapshot: any): Map<string, { count: number; bytes: number }> {
  const meta = snapshot.snapshot.meta;
  const fields: string[] = meta.node_fields;
  const types: string[] = meta.node_types[0];
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const nodes: number[] = snapshot.nodes;
  const strings: string[] = snapshot.strings;
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + typeAt]];
    const key = type === 'object' || type === 'native' ? `${strings[nodes[i + nameAt]]}` : `(${type})`;
    const entry = out.get(key) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += nodes[i + sizeAt];
    out.set(key, entry);
  }
  return out;
}

/** The `top` constructors whose live count grew most between two summaries. */
export function growth(
  before: Map<string, { count: number; bytes: number }>,
  after: Map<string, { count: number; bytes: number }>,
  top = 15,
): { name: string; before: number; after: number; bytesDelta: number }[] {
  return [...after.entries()]
    .map(([name, a]) => {
      const b = before.get(name) ?? { count: 0, bytes: 0 };
      return { name, before: b.count, after: a.count, bytesDelta: a.bytes - b.bytes };
    })
    .sort((x, y) => y.bytesDelta - x.bytesDelta)
    .slice(0, top);
}

/** Resident memory of a process as the kernel counts it (no GC first), in MB. */
export function kernelRssMb(pid: number | undefined): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Math.round((Number(line?.split(/\s+/)[1]) / 1024) * 10) / 10;
}

/** Least-squares slope of `y` over `t`, per minute (MB/min when y is in MB and t in seconds). */
export function slopePerMinute(points: { t: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.t - mt) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.t - mt) ** 2, 0);
  return den ? Math.round((num / den) * 60 * 100) / 100 : 0;
}
