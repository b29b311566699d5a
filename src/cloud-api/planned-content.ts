import type { ReplyOptions } from './entities/cloud-api-message.entity';
import type { CloudApiMediaObject } from './dto/cloud-api-request.schema';

/**
 * What a Cloud API message becomes before it reaches the native send path: the mapper
 * produces it from a validated request, the template renderer from a stored template.
 */

/** Media given by Meta's `id` (an upload) or `link` (a public URL). */
export interface MediaRef {
  id?: string;
  link?: string;
}

export type MediaType = 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker';

/** A media message to send, with the text that goes with it. */
export interface PlannedMedia {
  type: MediaType;
  media: MediaRef;
  caption?: string;
  filename?: string;
}

/** Interactive and template messages, rendered for WhatsApp Web: a text, or a captioned media message. */
export interface RenderedContent {
  type: 'rendered';
  text: string;
  media?: PlannedMedia;
  replyOptions?: ReplyOptions;
}

export type PlannedContent =
  | { type: 'text'; text: string }
  | PlannedMedia
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { type: 'contacts'; vcards: string[] }
  | { type: 'reaction'; messageId: string; emoji: string }
  | RenderedContent
  | { type: 'template'; name: string; language: string; components: unknown[] };

export type SendPlan =
  | { kind: 'read'; messageId: string; typing: boolean }
  | {
      kind: 'send';
      /** `to` as sent (else `recipient`): echoed as `contacts[0].input`. */
      to: string;
      /** The business-scoped user id sent as `recipient`: routes the send when there is no `to`. */
      businessUserId?: string;
      recipientType: 'individual' | 'group';
      contextMessageId?: string;
      bizOpaqueCallbackData?: string;
      content: PlannedContent;
    };

/** A validated Meta media object as media to send: `audio` with `voice: true` is a voice note; captions where Meta allows them. */
export function plannedMedia(type: Exclude<MediaType, 'voice'>, o: CloudApiMediaObject): PlannedMedia {
  const out: PlannedMedia = { type: type === 'audio' && o.voice === true ? 'voice' : type, media: o.id ? { id: o.id } : { link: o.link } };
  if (o.caption && (type === 'image' || type === 'video' || type === 'document')) out.caption = o.caption;
  if (o.filename && type === 'document') out.filename = o.filename;
  return out;
}

/** A rendered message: the text, or a media header carrying the text as its caption. */
export function rendered(text: string, media: PlannedMedia | undefined, replyOptions: ReplyOptions | undefined): RenderedContent {
  return media ? { type: 'rendered', text, media: { ...media, caption: text }, replyOptions } : { type: 'rendered', text, replyOptions };
}

/** WhatsApp formatting: *bold* header, body, _italic_ footer, then the options. */
export function composeText(parts: { header?: string; body: string; footer?: string; options?: string[] }): string {
  const blocks = [[parts.header ? `*${parts.header}*` : '', parts.body].filter(Boolean).join('\n')];
  if (parts.footer) blocks.push(`_${parts.footer}_`);
  if (parts.options?.length) blocks.push(parts.options.join('\n'));
  return blocks.filter(Boolean).join('\n\n');
}
