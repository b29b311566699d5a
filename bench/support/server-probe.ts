/**
 * Loaded into a benchmarked server process (`node -r`, see `startBenchGateway`'s `preload`): measures
 * what holds the server's JavaScript thread while a benchmark phase runs, so a latency tail can be
 * told apart as garbage collection, other blocking work, or neither (waiting on the database).
 *
 * SIGWINCH starts a measurement, the next SIGWINCH ends it and writes the figures as JSON to
 * `BENCH_PROBE_FILE`: event-loop delay (perf_hooks monitorEventLoopDelay, 1 ms resolution) and
 * every GC pause by kind (scavenge, mark-compact, incremental marking, weak callbacks).
 * SIGWINCH is ignored by default and Nest's shutdown hooks do not listen to it.
 */
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';

export interface ServerProbeFigures {
  seconds: number;
  /** Event-loop delay percentiles and maximum, ms. */
  loopDelay: { p50: number; p90: number; p99: number; max: number };
  /** GC pauses: count, total ms, share of wall time, longest; per kind. */
  gc: { count: number; totalMs: number; share: number; maxMs: number; byKind: Record<string, { count: number; totalMs: number; maxMs: number }> };
}

const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
};

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let pauses: { kind: string; ms: number }[] | null = null;
  let started = 0;
  new PerformanceObserver((list) => {
    if (!pauses) return;
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      pauses.push({ kind: KINDS[e.detail?.kind ?? -1] ?? 'other', ms: e.duration });
    }
  }).observe({ entryTypes: ['gc'] });
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  process.on('SIGWINCH', () => {
    if (!pauses) {
      pauses = [];
      started = performance.now();
      delay.reset();
      delay.enable();
      return;
    }
    delay.disable();
    const seconds = (performance.now() - started) / 1000;
    const byKind: ServerProbeFigures['gc']['byKind'] = {};
    for (const p of pauses) {
      const k = (byKind[p.kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
      k.count += 1;
      k.totalMs += p.ms;
      k.maxMs = Math.max(k.maxMs, p.ms);
    }
    const totalMs = pauses.reduce((s, p) => s + p.ms, 0);
    const round = (v: number) => Math.round(v * 10) / 10;
    for (const k of Object.values(byKind)) Object.assign(k, { totalMs: round(k.totalMs), maxMs: round(k.maxMs) });
    const figures: ServerProbeFigures = {
      seconds: round(seconds),
      loopDelay: { p50: ms(delay.percentile(50)), p90: ms(delay.percentile(90)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
      gc: { count: pauses.length, totalMs: round(totalMs), share: Math.round((totalMs / (seconds * 1000)) * 1000) / 1000, maxMs: round(Math.max(0, ...pauses.map((p) => p.ms))), byKind },
    };
    pauses = null;
    writeFileSync(file, JSON.stringify(figures));
  });
}
