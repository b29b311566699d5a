import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MESSAGE_TYPES } from './cloud-api-request.schema';

/**
 * Meta's shapes, in Meta's snake_case, for Swagger. Request bodies are validated against the
 * JSON Schemas of `cloud-api-request.schema.ts` (by `CloudApiRequestPipe`, with Meta's error
 * codes) rather than by the global ValidationPipe, which would reject the unknown keys and
 * nulls real SDKs send.
 */
export class CloudApiMediaObjectDto {
  @ApiPropertyOptional({ example: '1037543291543636', description: 'An id from POST /{phone-number-id}/media' }) id?: string;
  @ApiPropertyOptional({ example: 'https://example.com/a.png' }) link?: string;
  @ApiPropertyOptional({ description: 'image, video, document' }) caption?: string;
  @ApiPropertyOptional({ description: 'document' }) filename?: string;
}

export class CloudApiSendMessageDto {
  @ApiProperty({ example: 'whatsapp', enum: ['whatsapp'] }) messaging_product: 'whatsapp';
  @ApiPropertyOptional({ example: 'individual', enum: ['individual', 'group'] }) recipient_type?: string;
  @ApiProperty({ example: '16505551234', description: 'Phone number (any format, with country code), a group id, or a JID' }) to: string;
  @ApiPropertyOptional({ example: 'text', enum: MESSAGE_TYPES, description: 'Names the object that carries the message (default text)' })
  type?: string;
  @ApiPropertyOptional({ example: { message_id: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA' } }) context?: { message_id: string };
  @ApiPropertyOptional({ example: 'order-42', description: 'Echoed in the status webhooks of this message' }) biz_opaque_callback_data?: string;
  @ApiPropertyOptional({ example: { body: 'Hello https://example.com', preview_url: true } }) text?: { body: string; preview_url?: boolean };
  @ApiPropertyOptional({ type: CloudApiMediaObjectDto }) image?: CloudApiMediaObjectDto;
  @ApiPropertyOptional({ type: CloudApiMediaObjectDto }) video?: CloudApiMediaObjectDto;
  @ApiPropertyOptional({ type: CloudApiMediaObjectDto, description: '`voice: true` sends a voice note' }) audio?: CloudApiMediaObjectDto;
  @ApiPropertyOptional({ type: CloudApiMediaObjectDto }) document?: CloudApiMediaObjectDto;
  @ApiPropertyOptional({ type: CloudApiMediaObjectDto }) sticker?: CloudApiMediaObjectDto;
  @ApiPropertyOptional({ example: { latitude: 37.44216, longitude: -122.16126, name: 'Philz Coffee', address: '101 Forest Ave' } }) location?: object;
  @ApiPropertyOptional({ example: [{ name: { formatted_name: 'John Smith' }, phones: [{ phone: '+1 650-555-1234', wa_id: '16505551234' }] }] }) contacts?: object[];
  @ApiPropertyOptional({ example: { message_id: 'wamid.HBgL…', emoji: '👍' } }) reaction?: object;
  @ApiPropertyOptional({ description: 'button, list, cta_url, location_request_message (rendered as text, see docs/cloud-api.md)' }) interactive?: object;
  @ApiPropertyOptional({ example: { name: 'order_update', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Alice' }] }] } })
  template?: object;
  @ApiPropertyOptional({ example: 'read', description: 'With message_id: mark an inbound message read instead of sending' }) status?: 'read';
  @ApiPropertyOptional({ example: 'wamid.HBgL…' }) message_id?: string;
  @ApiPropertyOptional({ example: { type: 'text' }, description: 'With status read: show "typing…"' }) typing_indicator?: { type: 'text' };
}

export class CloudApiContactDto {
  @ApiProperty({ example: '+1 650-555-1234' }) input: string;
  @ApiProperty({ example: '16505551234' }) wa_id: string;
}

export class CloudApiMessageIdDto {
  @ApiProperty({ example: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA' }) id: string;
  @ApiPropertyOptional({ example: 'accepted', description: 'Template sends only' }) message_status?: 'accepted';
}

export class CloudApiSendResponseDto {
  @ApiProperty({ example: 'whatsapp' }) messaging_product: 'whatsapp';
  @ApiProperty({ type: [CloudApiContactDto] }) contacts: CloudApiContactDto[];
  @ApiProperty({ type: [CloudApiMessageIdDto] }) messages: CloudApiMessageIdDto[];
}

export class CloudApiSuccessDto {
  @ApiProperty({ example: true }) success: true;
}

export class CloudApiErrorBodyDto {
  @ApiProperty({ example: '(#131009) Parameter value is not valid' }) message: string;
  @ApiProperty({ example: 'OAuthException' }) type: string;
  @ApiProperty({ example: 131009 }) code: number;
  @ApiPropertyOptional({ example: 33 }) error_subcode?: number;
  @ApiPropertyOptional({ example: { messaging_product: 'whatsapp', details: 'Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3' } })
  error_data?: { messaging_product: 'whatsapp'; details: string };
  @ApiProperty({ example: '6f1c1d4e-1b7e-4c63-9a51-8a8a0e1e2f3a', description: 'The request id (also X-Request-Id)' }) fbtrace_id: string;
}

export class CloudApiErrorDto {
  @ApiProperty({ type: CloudApiErrorBodyDto }) error: CloudApiErrorBodyDto;
}
