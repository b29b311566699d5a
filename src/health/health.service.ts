import { cpus, loadavg } from 'node:os';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import type { ToolReport } from '../media/audio/tool-location';
import { VoiceNoteService } from '../media/audio/voice-note.service';
import { SessionRegistry } from '../sessions/session-registry';
import { SessionsService } from '../sessions/sessions.service';
import { describeEspeak } from '../tts/providers/espeak-engine';

export interface ResourceReport {
  uptimeSeconds: number;
  memory: { rss: number; heapUsed: number; heapTotal: number; external: number };
  cpu: { userMicros: number; systemMicros: number; loadAverage: number[]; cores: number };
  sessions: { total: number; live: number; byStatus: Record<string, number> };
}

/** The external programs voice notes need, and where each one comes from. */
export interface ToolsReport {
  ffmpeg: ToolReport;
  espeak: ToolReport;
}

/** Why this replica should get no traffic now (GET /api/health/ready answers 503 with it). */
export type NotReadyCode = 'DRAINING' | 'DATABASE_UNAVAILABLE';

export type Readiness = { ready: true } | { ready: false; code: NotReadyCode };

const DB_CHECK_TIMEOUT_MS = 2_000;
/** The signals that start a graceful shutdown (the ones the app's shutdown hooks handle). */
const DRAIN_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

@Injectable()
export class HealthService implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger(HealthService.name);
  /** Set at the first shutdown signal (or app close): from then on this replica is not ready. */
  private draining = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly registry: SessionRegistry,
    private readonly sessions: SessionsService,
    private readonly voiceNotes: VoiceNoteService,
    private readonly config: AppConfig,
  ) {}

  private toolsReport: Promise<ToolsReport> | undefined;

  /**
   * ffmpeg and espeak-ng: configured (FFMPEG_PATH/ESPEAK_PATH), system (PATH), bundled (npm
   * packages) or missing, with their versions. Asked once per process: they do not move.
   */
  tools(): Promise<ToolsReport> {
    this.toolsReport ??= Promise.all([this.voiceNotes.describeFfmpeg(), describeEspeak(this.config.tts.espeakPath)]).then(
      ([ffmpeg, espeak]) => ({ ffmpeg, espeak }),
    );
    return this.toolsReport;
  }

  /**
   * Listens for the shutdown signals ahead of the shutdown hooks, so readiness turns false the
   * moment a signal arrives, while the sessions are still being handed over and the HTTP
   * server still answers (it closes only after the handover).
   */
  onApplicationBootstrap(): void {
    for (const signal of DRAIN_SIGNALS) process.prependListener(signal, this.onSignal);
  }

  /** Covers a shutdown started without a signal (`app.close()`); the signal usually came first. */
  onModuleDestroy(): void {
    this.startDraining();
  }

  onApplicationShutdown(): void {
    this.stopListening();
  }

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.startDraining();
    this.stopListening();
    // Nobody else handles the signal (shutdown hooks not enabled): its default action, as if
    // this listener had never been there.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };

  private stopListening(): void {
    for (const signal of DRAIN_SIGNALS) process.removeListener(signal, this.onSignal);
  }

  private startDraining(): void {
    if (this.draining) return;
    this.draining = true;
    this.logger.log('Shutting down: not ready any more, handing sessions over');
  }

  /**
   * Whether a load balancer should send this replica requests: not once it is shutting down,
   * nor while its database does not answer.
   */
  async readiness(): Promise<Readiness> {
    if (this.draining) return { ready: false, code: 'DRAINING' };
    const databaseUp = await this.isDatabaseUp();
    if (this.draining) return { ready: false, code: 'DRAINING' };
    return databaseUp ? { ready: true } : { ready: false, code: 'DATABASE_UNAVAILABLE' };
  }

  async isDatabaseUp(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.db.query('SELECT 1').then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), DB_CHECK_TIMEOUT_MS))),
      ]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async resources(): Promise<ResourceReport> {
    const byStatus = await this.sessions.statusCounts(null);
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage();
    return {
      uptimeSeconds: Math.round(process.uptime()),
      memory: { rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external },
      cpu: { userMicros: cpu.user, systemMicros: cpu.system, loadAverage: loadavg(), cores: cpus().length },
      sessions: { total: Object.values(byStatus).reduce((a, n) => a + n, 0), live: this.registry.liveCount(), byStatus },
    };
  }
}
