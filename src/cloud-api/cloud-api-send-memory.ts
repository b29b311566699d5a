import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, MoreThan, Repository } from 'typeorm';
import { EventBus } from '../events/event-bus';
import { Principal } from '../auth/principal';
import type { ListSessionsQueryDto } from '../sessions/dto/session.dto';
import { SessionRegistry } from '../sessions/session-registry';
import { SessionResolver } from '../sessions/session-resolver';
import { SessionStatus } from '../sessions/session-status';
import { SessionsService } from '../sessions/sessions.service';
import { CloudApiMessageEntity, type ReplyOptions } from './entities/cloud-api-message.entity';

/** Sends older than this are not looked up for webhooks (a week: replies can come well after Meta's 24 h window). */
const WINDOW_MS = 7 * 24 * 3600 * 1000;
const MAX_ENTRIES = 100_000;

/**
 * What Meta-format webhooks need beyond the event itself, held in memory so formatting stays
 * synchronous (webhook bodies are fixed when the delivery row is written): the
 * `biz_opaque_callback_data` of recent facade sends, the reply options last offered in each
 * chat, and each session's phone number and workspace. It is filled from the database at boot (the last
 * seven days of sends) and kept current by the facade and by session events, so it survives
 * restarts. The number and workspace are also read again in the transaction of every event the
 * Meta format carries (`refresh`), so a change made through another replica shows at once.
 */
@Injectable()
export class CloudApiSendMemory implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CloudApiSendMemory.name);
  private readonly callbackData = new Map<string, string>();
  private readonly options = new Map<string, { waMessageId: string; replyOptions: ReplyOptions }>();
  private readonly numbers = new Map<string, string | null>();
  private readonly workspaces = new Map<string, string | null>();
  private unsubscribe?: () => void;

  constructor(
    @InjectRepository(CloudApiMessageEntity) private readonly sends: Repository<CloudApiMessageEntity>,
    private readonly registry: SessionRegistry,
    private readonly sessionsService: SessionsService,
    private readonly bus: EventBus,
    private readonly resolver: SessionResolver,
  ) {}

  onApplicationBootstrap(): void {
    // A session's number changes only when it (re)links, which ends in READY.
    const offStatus = this.bus.on('session.status', (e) => {
      if (e.status === SessionStatus.READY) this.refreshNumber(e.sessionId);
    });
    // The workspace (the WABA of Meta-format webhooks) changes with the session's settings.
    const offSettings = this.bus.on('session.settings', (e) => this.refreshNumber(e.sessionId));
    this.unsubscribe = () => {
      offStatus();
      offSettings();
    };
    // Not awaited: bootstrap hooks of other modules may hold the embedded database's single
    // connection until the application is up.
    this.loading = this.load();
  }

  private loading: Promise<void> = Promise.resolve();

  private async load(): Promise<void> {
    try {
      const rows = await this.sends.find({ where: { createdAt: MoreThan(new Date(Date.now() - WINDOW_MS)) }, order: { createdAt: 'ASC' }, take: MAX_ENTRIES });
      for (const r of rows) this.remember(r);
      const admin = Principal.admin('api-key');
      for (let page = 1; ; page++) {
        const { sessions } = await this.sessionsService.list(admin, { page, limit: 500 } as ListSessionsQueryDto);
        for (const s of sessions) {
          this.numbers.set(s.sessionId, s.mobile_number);
          this.workspaces.set(s.sessionId, (s.settings.workspace as string | null | undefined) ?? null);
        }
        if (sessions.length < 500) break;
      }
    } catch (err) {
      this.logger.error({ err }, 'Loading recent Cloud API sends failed; webhooks may miss callback data');
    }
  }

  /** Lets queries in flight finish before the database pool closes (it waits for them otherwise). */
  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([this.loading, ...this.refreshing]);
  }

  remember(send: Pick<CloudApiMessageEntity, 'sessionId' | 'waMessageId' | 'chatJid' | 'bizOpaqueCallbackData' | 'replyOptions'>): void {
    if (send.bizOpaqueCallbackData) bounded(this.callbackData).set(`${send.sessionId}|${send.waMessageId}`, send.bizOpaqueCallbackData);
    if (send.replyOptions) {
      const key = `${send.sessionId}|${send.chatJid}`;
      this.options.delete(key);
      bounded(this.options).set(key, { waMessageId: send.waMessageId, replyOptions: send.replyOptions });
    }
  }

  callbackDataOf(sessionId: string, waMessageId: string): string | undefined {
    return this.callbackData.get(`${sessionId}|${waMessageId}`);
  }

  /** The reply options last offered in a chat, with the message that offered them. */
  replyOptionsIn(sessionId: string, chatJid: string): { waMessageId: string; replyOptions: ReplyOptions } | undefined {
    return this.options.get(`${sessionId}|${chatJid}`);
  }

  /** Digits of the session's number, when known. */
  numberOf(sessionId: string): string | null {
    return this.numbers.get(sessionId) ?? null;
  }

  /** The session's workspace when known (null: none, or not known yet). */
  workspaceOf(sessionId: string): string | null {
    return this.workspaces.get(sessionId) ?? null;
  }

  /**
   * Reads the session's number and workspace again, in the transaction publishing its event
   * (before a Meta-format webhook body is written): the workspace may have been changed through
   * another replica, whose settings event this one never hears.
   */
  async refresh(sessionId: string, manager: EntityManager): Promise<void> {
    const s = await this.resolver.readNow(sessionId, manager);
    if (!s) return;
    this.numbers.set(s.id, s.mobileNumber);
    this.workspaces.set(s.id, s.settings.workspace ?? null);
  }

  private readonly refreshing = new Set<Promise<void>>();

  private refreshNumber(sessionId: string): void {
    const done: Promise<void> = this.registry.getFresh(sessionId).then(
      (s) => {
        this.numbers.set(s.id, s.mobileNumber);
        this.workspaces.set(s.id, s.settings.workspace ?? null);
      },
      () => undefined,
    );
    this.refreshing.add(done);
    void done.then(() => this.refreshing.delete(done));
  }
}

function bounded<K, V>(map: Map<K, V>): Map<K, V> {
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
  return map;
}
