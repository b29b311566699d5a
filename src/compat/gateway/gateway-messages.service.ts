import { Injectable } from '@nestjs/common';
import type { Principal } from '../../auth/principal';
import { AppError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';
import type { SendMessageDto } from '../../messages/dto/send-message.dto';
import type { MessageEntity } from '../../messages/entities/message.entity';
import { MessagesService, type UploadedFile } from '../../messages/messages.service';
import type { GatewaySendDto, GatewaySendImageDto } from './dto/gateway.dto';
import { GatewaySessionsService } from './gateway-sessions.service';
import { toGatewayPhone } from './gateway.mapper';

/** The WA Gateway's upload limit for `send-image`. */
export const GATEWAY_IMAGE_MAX_BYTES = 10 * 1024 * 1024;
const GATEWAY_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

/**
 * The WA Gateway's sends: each becomes a native message in the session's durable queue
 * (`MessagesService.send`), answered with the message's integer number.
 */
@Injectable()
export class GatewayMessagesService {
  constructor(
    private readonly messages: MessagesService,
    private readonly sessions: GatewaySessionsService,
  ) {}

  /**
   * `POST /api/send`. @throws AppError RECIPIENT_INVALID, SESSION_NOT_LINKED (403),
   * SessionNotFoundError (unknown session name)
   */
  async sendText(principal: Principal, dto: GatewaySendDto): Promise<number> {
    const to = recipient(dto.phone);
    const session = await this.sessions.resolve(principal, dto.session);
    const { message } = await this.messages.send(principal, { sessionId: session.id, to, type: 'text', text: dto.message } as SendMessageDto);
    return numberOf(message);
  }

  /**
   * `POST /api/send-image`: the native image pipeline makes it a JPEG of at most 1280 px, quality 78.
   * @throws AppError VALIDATION_FAILED (no file), MEDIA_TOO_LARGE, MEDIA_TYPE_MISMATCH, RECIPIENT_INVALID, …
   */
  async sendImage(principal: Principal, dto: GatewaySendImageDto, file: UploadedFile | undefined): Promise<number> {
    const to = recipient(dto.phone);
    if (!file?.buffer?.length) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'file is required: an image (JPG, PNG, GIF or WEBP) as multipart/form-data', {
        fields: [{ field: 'file', messages: ['file is required'] }],
      });
    }
    if (file.buffer.length > GATEWAY_IMAGE_MAX_BYTES) {
      throw new AppError(ErrorCode.MEDIA_TOO_LARGE, 'The image is larger than 10 MB', { maxBytes: GATEWAY_IMAGE_MAX_BYTES, size: file.buffer.length });
    }
    const { fileTypeFromBuffer } = await import('file-type');
    const detected = (await fileTypeFromBuffer(file.buffer))?.mime ?? 'unknown';
    if (!GATEWAY_IMAGE_TYPES.includes(detected)) {
      throw new AppError(ErrorCode.MEDIA_TYPE_MISMATCH, `The file is ${detected}; send a JPG, PNG, GIF or WEBP image`, {
        expected: GATEWAY_IMAGE_TYPES,
        detected,
      });
    }
    const session = await this.sessions.resolve(principal, dto.session);
    const send = { sessionId: session.id, to, type: 'image', ...(dto.caption ? { caption: dto.caption } : {}) } as SendMessageDto;
    const { message } = await this.messages.send(principal, send, file);
    return numberOf(message);
  }

  /**
   * `POST /api/resend/:id`: a failed or opted-out message goes back to the queue (same
   * WhatsApp id). @throws AppError MESSAGE_NOT_FOUND, MESSAGE_NOT_RESENDABLE (409)
   */
  async resend(principal: Principal, id: string): Promise<void> {
    const number = /^[1-9][0-9]{0,14}$/.test(id) ? Number(id) : null;
    const message = number === null ? null : await this.messages.findByNumber(principal, number);
    // Only messages of the gateway's own sessions: the key is the gateway's, not the server's.
    if (!message || !(await this.sessions.isGatewaySession(message.sessionId))) {
      throw new AppError(ErrorCode.MESSAGE_NOT_FOUND, `Message '${id}' was not found`);
    }
    await this.messages.resend(principal, message.id);
  }
}

/** `+` + digits: the native parser then takes the number as international, never adding DEFAULT_COUNTRY. */
function recipient(phone: string): string {
  const digits = toGatewayPhone(phone);
  if (!digits) {
    throw new AppError(ErrorCode.RECIPIENT_INVALID, 'phone must be a number with country code: 7–15 digits', {
      fields: [{ field: 'phone', messages: ['phone must be a number with country code: 7–15 digits (e.g. 9611234567)'] }],
    });
  }
  return `+${digits}`;
}

function numberOf(message: MessageEntity): number {
  return message.number;
}
