import { cpus, loadavg } from 'node:os';
import { Injectable } from '@nestjs/common';
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

const DB_CHECK_TIMEOUT_MS = 2_000;

@Injectable()
export class HealthService {
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
