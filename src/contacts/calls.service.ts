import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { EventBus } from '../events/event-bus';
import { EVENT_OUTBOX, type EventOutbox } from '../events/event-outbox';
import { MessagesService } from '../messages/messages.service';
import { SessionRegistry } from '../sessions/session-registry';
import { SessionsService } from '../sessions/sessions.service';
import type { IncomingCall } from '../whatsapp/engine/engine-events';

/**
 * Incoming calls (the device-token gateway): every call is a `call.received` event; with the session's
 * `rejectCalls` on, the call is declined and, when `rejectMessage` is set, the caller gets it
 * as a message through the queue.
 */
@Injectable()
export class CallsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CallsService.name);
  private unsubscribe?: () => void;

  constructor(
    private readonly bus: EventBus,
    private readonly registry: SessionRegistry,
    private readonly sessions: SessionsService,
    private readonly messages: MessagesService,
    @Optional() @Inject(EVENT_OUTBOX) private readonly outbox?: EventOutbox,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.on('engine.call', (e) =>
      this.handle(e.sessionId, e.call).catch((err) => this.logger.error({ err, sessionId: e.sessionId }, 'Handling a call failed')),
    );
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  async handle(sessionId: string, call: IncomingCall): Promise<void> {
    const settings = await this.sessions.settingsOf(sessionId);
    let rejected = false;
    if (settings.rejectCalls) {
      const engine = this.registry.readyEngine(sessionId);
      if (engine) {
        await engine.rejectCall(call.id, call.from);
        rejected = true;
      }
    }
    const replyTo = call.fromPhone ? `${call.fromPhone}@s.whatsapp.net` : call.from;
    const reply = rejected && settings.rejectMessage && !call.isGroup
      ? await this.messages.sendSystemText(sessionId, replyTo, settings.rejectMessage, 'call-reply')
      : null;
    // A call changes no row of ours: its event is written on its own (the reply, if any, is
    // already queued and has its own events).
    const at = new Date().toISOString();
    const data = {
      call: { id: call.id, from: replyTo, isVideo: call.isVideo, isGroup: call.isGroup, at: call.at.toISOString() },
      rejected,
      replyMessageId: reply?.id ?? null,
    };
    await this.outbox?.publish({ type: 'call.received', sessionId, data, at });
    this.bus.emit({ type: 'call.received', sessionId, data, at });
  }
}
