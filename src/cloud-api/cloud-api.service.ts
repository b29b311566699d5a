import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Principal } from '../auth/principal';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';
import type { SendMessageDto } from '../messages/dto/send-message.dto';
import { MessagesService } from '../messages/messages.service';
import { jidUser, toRecipient } from '../messages/recipient';
import type { SessionEntity } from '../sessions/entities/session.entity';
import { SessionRegistry } from '../sessions/session-registry';
import { TemplatesService } from '../templates/templates.service';
import { EngineSendError, type MessageRef } from '../whatsapp/engine/outgoing-message';
import { wabaIdOf } from '../common/utils/graph-ids';
import { chatOfBusinessUserId } from './business-user-id';
import { CloudApiError, graphInvalidParam, invalidParam } from './cloud-api.errors';
import { planRequest } from './cloud-api.mapper';
import { CloudApiMediaService } from './cloud-api-media.service';
import { CloudApiPhoneNumbersService } from './cloud-api-phone-numbers.service';
import { CloudApiSendMemory } from './cloud-api-send-memory';
import type { CloudApiRequest } from './dto/cloud-api-request.schema';
import { CloudApiMessageEntity, type ReplyOptions } from './entities/cloud-api-message.entity';
import type { PlannedContent, PlannedMedia } from './planned-content';
import { SendRateLimiter } from './send-rate-limiter';
import { renderTemplate } from './template-renderer';
import { decodeWamid, encodeWamid, toMessageRef } from './wamid';

export interface CloudApiSendResponse {
  messaging_product: 'whatsapp';
  contacts: { input: string; wa_id?: string; user_id?: string }[];
  messages: { id: string; message_status?: 'accepted' }[];
}

/**
 * `POST /{phone-number-id}/messages`: Meta's message bodies mapped onto the native send path
 * (`MessagesService.send`), so facade messages share the native queue, pacing, opt-in rules
 * and receipts; or, with `status: "read"`, read receipts and the typing indicator.
 */
@Injectable()
export class CloudApiService {
  private readonly limiter: SendRateLimiter;

  constructor(
    private readonly messages: MessagesService,
    private readonly numbers: CloudApiPhoneNumbersService,
    private readonly media: CloudApiMediaService,
    private readonly templates: TemplatesService,
    private readonly registry: SessionRegistry,
    @InjectRepository(CloudApiMessageEntity) private readonly sends: Repository<CloudApiMessageEntity>,
    private readonly memory: CloudApiSendMemory,
    private readonly config: AppConfig,
  ) {
    this.limiter = new SendRateLimiter(config.cloudApi.rateLimitPerSecond);
  }

  /**
   * Sends (queues) a message or marks one read.
   * @throws CloudApiError (Meta codes), GraphObjectNotFoundError, and the native path's AppErrors
   */
  async handle(principal: Principal, phoneNumberId: string, body: CloudApiRequest, idempotencyKey?: string): Promise<CloudApiSendResponse | { success: true }> {
    const plan = planRequest(body);
    const session = await this.numbers.resolve(principal, phoneNumberId);
    if (plan.kind === 'read') {
      await this.markRead(session, plan.messageId, plan.typing);
      return { success: true };
    }
    assertRegistered(session);
    const wabaId = wabaIdOf(session.settings.workspace ?? null);
    let to = plan.recipientType === 'group' && !plan.to.includes('@') ? `${plan.to}@g.us` : plan.to;
    if (plan.businessUserId && plan.to === plan.businessUserId) {
      const chat = chatOfBusinessUserId(plan.businessUserId, wabaId);
      if (!chat) throw invalidParam(`Param recipient (${plan.businessUserId}) is not a user id of this WhatsApp Business Account.`);
      to = chat;
    }
    const recipient = toRecipient(to, this.config.whatsapp.defaultCountry);
    if (recipient?.phoneNumber && recipient.phoneNumber === session.mobileNumber) {
      throw new CloudApiError(131021, 'The recipient is the sending phone number itself.');
    }
    if (!this.limiter.tryTake(session.id)) {
      throw new CloudApiError(130429, `Message throughput exceeded: at most ${this.config.cloudApi.rateLimitPerSecond} messages per second per phone number.`);
    }
    const quoted = plan.contextMessageId ? await this.existingMessage(session.id, plan.contextMessageId, "context['message_id']") : undefined;
    const { dto, replyOptions, isTemplate } = await this.toNative(principal, session, plan.content);
    const { message } = await this.messages.send(
      principal,
      { ...dto, sessionId: session.id, to, ...(quoted && dto.type !== 'reaction' ? { quotedMessageId: quoted } : {}) } as SendMessageDto,
      undefined,
      idempotencyKey,
      // Resolved from an upload of this credential's phone numbers by forSend.
      { authorizedMediaId: dto.mediaId },
    );
    if (plan.bizOpaqueCallbackData || replyOptions) {
      const send = {
        messageId: message.id,
        sessionId: session.id,
        waMessageId: message.waMessageId,
        chatJid: message.chatJid,
        bizOpaqueCallbackData: plan.bizOpaqueCallbackData ?? null,
        replyOptions: replyOptions ?? null,
      };
      await this.sends.upsert(send, ['messageId']);
      this.memory.remember(send);
    }
    return {
      messaging_product: 'whatsapp',
      contacts: [contactOf(plan.to, plan.businessUserId, message.chatJid)],
      messages: [{ id: encodeWamid({ chatJid: message.chatJid, fromMe: true, id: message.waMessageId }), ...(isTemplate ? { message_status: 'accepted' as const } : {}) }],
    };
  }

  private async toNative(
    principal: Principal,
    session: SessionEntity,
    content: PlannedContent,
  ): Promise<{ dto: Omit<SendMessageDto, 'sessionId' | 'to'>; replyOptions?: ReplyOptions; isTemplate?: boolean }> {
    switch (content.type) {
      case 'text':
        // preview_url: WhatsApp Web builds link previews on the sender's side; see docs/cloud-api.md.
        return { dto: { type: 'text', text: content.text } };
      case 'location':
        return { dto: { type: 'location', location: { latitude: content.latitude, longitude: content.longitude, name: content.name, address: content.address } } };
      case 'contacts':
        return { dto: { type: 'contact', vcard: content.vcards.join('\n') } };
      case 'reaction': {
        const target = await this.existingMessage(session.id, content.messageId, "reaction['message_id']");
        return { dto: { type: 'reaction', text: content.emoji, quotedMessageId: target } };
      }
      case 'rendered':
        return { dto: content.media ? await this.mediaDto(principal, content.media) : { type: 'text', text: content.text }, replyOptions: content.replyOptions };
      case 'template': {
        const template = await this.templates.findForSend(session.id, session.settings.workspace ?? null, content.name, content.language);
        if (!template) {
          throw new CloudApiError(132001, `template name (${content.name}) does not exist in ${content.language}`);
        }
        return { ...(await this.toNative(principal, session, renderTemplate(template, content.components))), isTemplate: true };
      }
      default:
        return { dto: await this.mediaDto(principal, content) };
    }
  }

  private async mediaDto(principal: Principal, m: PlannedMedia): Promise<Omit<SendMessageDto, 'sessionId' | 'to'>> {
    const source = m.media.id ? { mediaId: await this.media.forSend(principal, m.media.id) } : { url: m.media.link };
    return { type: m.type, ...source, ...(m.caption ? { caption: m.caption } : {}), ...(m.filename ? { fileName: m.filename } : {}) };
  }

  /** Our id of the message a client names by wamid or WhatsApp id, if this session has it. */
  private async existingMessage(sessionId: string, ref: string, param: string): Promise<string> {
    const row = await this.messages.findByRef(sessionId, toMessageRef(ref));
    if (!row) throw invalidParam(`Param ${param} (${ref}) does not match a message of this phone number.`);
    return row.id;
  }

  private async markRead(session: SessionEntity, messageId: string, typing: boolean): Promise<void> {
    assertRegistered(session);
    const row = await this.messages.findByRef(session.id, toMessageRef(messageId));
    let key: MessageRef | null = null;
    if (row?.direction === 'inbound') {
      key = { id: row.waMessageId, chatJid: row.chatJid, fromMe: false, participant: row.senderJid && row.senderJid !== row.chatJid ? row.senderJid : null };
    } else if (!row) {
      // A received message not stored (yet): its wamid carries the chat and the id.
      const decoded = decodeWamid(messageId);
      if (decoded && !decoded.fromMe) key = { id: decoded.id, chatJid: decoded.chatJid, fromMe: false };
    }
    if (!key) throw graphInvalidParam(`Param message_id (${messageId}) is not a message this phone number received.`);
    const engine = await this.registry.getReady(session.id);
    try {
      await engine.markRead([key]);
      if (typing) await engine.sendPresence(key.chatJid, 'composing');
    } catch (err) {
      if (err instanceof EngineSendError && err.kind === 'not-ready') {
        throw new AppError(ErrorCode.SESSION_NOT_READY, 'The WhatsApp connection is not open', undefined, { cause: err });
      }
      throw new AppError(ErrorCode.ENGINE_ERROR, `Could not mark the message read: ${(err as Error).message}`, undefined, { cause: err });
    }
  }
}

/**
 * `contacts[0]` of a send response: the input as sent and the WhatsApp id; a send addressed
 * by business-scoped user id answers with `user_id` instead of `wa_id`, as Meta does.
 */
function contactOf(input: string, businessUserId: string | undefined, chatJid: string): { input: string; wa_id?: string; user_id?: string } {
  if (businessUserId && input === businessUserId) return { input, user_id: businessUserId };
  return { input, wa_id: jidUser(chatJid), ...(businessUserId ? { user_id: businessUserId } : {}) };
}

/** Meta's 133010 for a number that is not linked to WhatsApp (the connections manager: QR not approved yet). */
function assertRegistered(session: SessionEntity): void {
  if (!session.mobileNumber) {
    throw new CloudApiError(133010, `Phone number ${session.id} is not linked to a WhatsApp account yet (status ${session.status}); link it first.`, {
      nativeCode: ErrorCode.SESSION_NOT_LINKED,
    });
  }
}
