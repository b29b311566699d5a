import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { KeyedMutex } from '../common/utils/keyed-mutex';
import { EventBus } from '../events/event-bus';
import { isGroupJid } from '../messages/recipient';
import { MessagesService } from '../messages/messages.service';
import { SessionsService } from '../sessions/sessions.service';
import { ContactsService } from './contacts.service';

const YES = new Set(['1', 'yes', 'y', 'نعم']);
const NO = new Set(['2', 'no', 'n', 'لا']);

interface StoredInbound {
  chat: string;
  type: string;
  content: { text?: string };
}

/**
 * The WA Gateway's opt-in conversation, for sessions with `requireOptIn`: a contact we have no
 * answer from gets the prompt once; replying 1 / YES / نعم opts in, 2 / NO / لا opts out,
 * each confirmed by a message. The queue then honours the answer.
 */
@Injectable()
export class OptInService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OptInService.name);
  private unsubscribe?: () => void;
  /** One conversation step at a time per contact: two quick messages must not both prompt. */
  private readonly perContact = new KeyedMutex();

  constructor(
    private readonly bus: EventBus,
    private readonly contacts: ContactsService,
    private readonly sessions: SessionsService,
    private readonly messages: MessagesService,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.on('message.received', (e) =>
      this.handle(e.sessionId, e.data.message as StoredInbound).catch((err) =>
        this.logger.error({ err, sessionId: e.sessionId }, 'Opt-in handling failed'),
      ),
    );
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  handle(sessionId: string, message: StoredInbound): Promise<void> {
    if (isGroupJid(message.chat)) return Promise.resolve();
    return this.perContact.run(`${sessionId}|${message.chat}`, () => this.step(sessionId, message));
  }

  private async step(sessionId: string, message: StoredInbound): Promise<void> {
    const settings = await this.sessions.settingsOf(sessionId);
    if (!settings.requireOptIn) return;
    const contact = await this.contacts.find(sessionId, message.chat);
    const phone = message.chat.endsWith('@s.whatsapp.net') ? message.chat.split('@')[0] : null;
    const answer = normalize(message.content.text);
    if (YES.has(answer)) {
      if (contact?.optIn !== 'yes') {
        // The confirmation is queued before the answer is recorded: recording it releases the
        // contact's held messages (optInMode 'hold'), which then queue behind the confirmation.
        await this.messages.sendSystemText(sessionId, message.chat, settings.optInConfirmYes, 'opt-in');
        await this.contacts.record(sessionId, message.chat, phone, 'yes', 'reply');
      }
      return;
    }
    if (NO.has(answer)) {
      if (contact?.optIn !== 'no') {
        await this.contacts.record(sessionId, message.chat, phone, 'no', 'reply');
        await this.messages.sendSystemText(sessionId, message.chat, settings.optInConfirmNo, 'opt-in');
      }
      return;
    }
    if (!contact?.optIn) {
      await this.contacts.record(sessionId, message.chat, phone, 'pending', 'prompt');
      await this.messages.sendSystemText(sessionId, message.chat, settings.optInPrompt, 'opt-in');
    }
  }
}

function normalize(text: string | undefined): string {
  return (text ?? '').trim().toLowerCase().replace(/[.!\s]+$/u, '');
}
