import type { CrmRequest } from './request';

/**
 * What Chatwoot's "WhatsApp Cloud" inbox sends, from chatwoot/chatwoot:
 *
 * - app/services/whatsapp/providers/whatsapp_cloud_service.rb — every call below except the
 *   webhook setup goes to `ENV.fetch('WHATSAPP_CLOUD_BASE_URL', 'https://graph.facebook.com')`,
 *   sends go to `/v13.0/{phone_number_id}`, template calls to `/v14.0/{business_account_id}`.
 * - app/services/whatsapp/providers/base_service.rb — `process_response` reads
 *   `messages.first.id`; interactive payloads serialise `action` with `JSON.generate`, so it
 *   arrives as a JSON string inside the JSON body.
 * - app/services/whatsapp/facebook_api_client.rb, webhook_setup_service.rb, health_service.rb —
 *   the embedded-signup webhook setup and health check (fixed `https://graph.facebook.com`
 *   host upstream, versions from WHATSAPP_API_VERSION, default v22.0; health uses ≥ v24.0).
 *
 * Bodies are `Hash#to_json` under Rails: compact, keys in insertion order, `nil` as `null`
 * (a text without a reply still carries `"context":null`), and `<`, `>`, `&` escaped as
 * `\u003c`, `\u003e`, `\u0026` (ActiveSupport's HTML-safe JSON).
 */
export interface ChatwootInbox {
  /** provider_config['api_key'] */
  apiKey: string;
  /** provider_config['phone_number_id'] */
  phoneNumberId: string;
  /** provider_config['business_account_id'] */
  businessAccountId: string;
}

const SERVICE = 'app/services/whatsapp/providers/whatsapp_cloud_service.rb';

/** Rails' `to_json`: JSON with HTML-significant characters escaped. */
export function railsJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `api_headers`: Bearer key and JSON content type, sent on every call that has headers. */
const headers = (inbox: ChatwootInbox) => ({ Authorization: `Bearer ${inbox.apiKey}`, 'Content-Type': 'application/json' });

/**
 * `validate_provider_config?` (run when the inbox is saved; "Invalid Credentials" unless
 * `response.success?`) and the first page of `sync_templates`: the key as `?access_token=`,
 * no headers at all. Chatwoot stores `response['data']` and follows `response['paging']['next']`
 * as an absolute URL (replayed as given).
 */
export function messageTemplates(inbox: ChatwootInbox): CrmRequest {
  return {
    name: 'validate_provider_config? / sync_templates',
    source: SERVICE,
    method: 'GET',
    path: `/v14.0/${inbox.businessAccountId}/message_templates`,
    query: { access_token: inbox.apiKey },
  };
}

/** `send_text_message`; `replyTo` is the `in_reply_to_external_id` (a wamid from a webhook). */
export function sendText(inbox: ChatwootInbox, to: string, text: string, replyTo?: string): CrmRequest {
  return {
    name: 'send_text_message',
    source: SERVICE,
    method: 'POST',
    path: `/v13.0/${inbox.phoneNumberId}/messages`,
    headers: headers(inbox),
    body: railsJson({ messaging_product: 'whatsapp', context: replyTo ? { message_id: replyTo } : null, to, text: { body: text }, type: 'text' }),
  };
}

/**
 * `send_attachment_message`: image/audio/video by type, anything else as document, always by
 * `link` (Chatwoot's own download URL); a caption except on audio and sticker, the file name
 * on documents.
 */
export function sendAttachment(
  inbox: ChatwootInbox,
  to: string,
  attachment: { fileType: string; downloadUrl: string; filename: string },
  content: string | null,
): CrmRequest {
  const type = ['image', 'audio', 'video'].includes(attachment.fileType) ? attachment.fileType : 'document';
  const typeContent: Record<string, unknown> = { link: attachment.downloadUrl };
  if (!['audio', 'sticker'].includes(type)) typeContent.caption = content;
  if (type === 'document') typeContent.filename = attachment.filename;
  return {
    name: 'send_attachment_message',
    source: SERVICE,
    method: 'POST',
    path: `/v13.0/${inbox.phoneNumberId}/messages`,
    headers: headers(inbox),
    body: railsJson({ messaging_product: 'whatsapp', context: null, to, type, [type]: typeContent }),
  };
}

/**
 * `send_interactive_text_message` for an `input_select` message: up to three items without
 * descriptions become reply buttons, otherwise a one-section list whose button label is the
 * locale's `conversations.messages.whatsapp.list_button_label`. `action` is `JSON.generate`d,
 * so it travels as a string.
 */
export function sendInteractive(
  inbox: ChatwootInbox,
  to: string,
  content: string,
  items: Array<{ title: string; value: string; description?: string }>,
  listButtonLabel = 'Choose an item',
): CrmRequest {
  const useList = items.length > 3 || items.some((i) => i.description);
  const action = useList
    ? JSON.stringify({
        button: listButtonLabel,
        sections: [{ rows: items.map((i) => ({ id: i.value, title: i.title, ...(i.description ? { description: i.description } : {}) })) }],
      })
    : JSON.stringify({ buttons: items.map((i) => ({ type: 'reply', reply: { id: i.value, title: i.title } })) });
  return {
    name: `send_interactive_text_message (${useList ? 'list' : 'button'})`,
    source: 'app/services/whatsapp/providers/base_service.rb',
    method: 'POST',
    path: `/v13.0/${inbox.phoneNumberId}/messages`,
    headers: headers(inbox),
    body: railsJson({ messaging_product: 'whatsapp', to, interactive: { type: useList ? 'list' : 'button', body: { text: content }, action }, type: 'interactive' }),
  };
}

/**
 * `send_template`: the components come from the agent's template form already in Meta's
 * format (`processed_params` → `[{type:'body', parameters:[…]}, {type:'header', …}, {type:'button', sub_type, …}]`).
 */
export function sendTemplate(inbox: ChatwootInbox, to: string, template: { name: string; langCode: string; components: object[] }): CrmRequest {
  return {
    name: 'send_template',
    source: SERVICE,
    method: 'POST',
    path: `/v13.0/${inbox.phoneNumberId}/messages`,
    headers: headers(inbox),
    body: railsJson({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to,
      type: 'template',
      template: { name: template.name, language: { policy: 'deterministic', code: template.langCode }, components: template.components },
    }),
  };
}

/**
 * A reply to a contact known only by a business-scoped user id (`recipient_params` in
 * base_service.rb: `{recipient_type: 'individual', recipient: bsuid}` instead of `to`).
 */
export function sendTextToUserId(inbox: ChatwootInbox, userId: string, text: string): CrmRequest {
  return {
    name: 'send_text_message (business-scoped user id)',
    source: 'app/services/whatsapp/providers/base_service.rb',
    method: 'POST',
    path: `/v13.0/${inbox.phoneNumberId}/messages`,
    headers: headers(inbox),
    body: railsJson({ messaging_product: 'whatsapp', context: null, recipient_type: 'individual', recipient: userId, text: { body: text }, type: 'text' }),
  };
}

/**
 * Incoming media, step one (incoming_message_whatsapp_cloud_service.rb `download_attachment_file`):
 * `media_url(id, phone_number_id)` with `api_headers`; Chatwoot reads `url` and downloads it.
 */
export function mediaUrl(inbox: ChatwootInbox, mediaId: string): CrmRequest {
  return {
    name: 'media_url',
    source: 'app/services/whatsapp/incoming_message_whatsapp_cloud_service.rb',
    method: 'GET',
    path: `/v13.0/${mediaId}`,
    query: { phone_number_id: inbox.phoneNumberId },
    headers: headers(inbox),
  };
}

/** Incoming media, step two: `Down.download(url, headers: api_headers)` of the absolute `url`. */
export function mediaDownload(inbox: ChatwootInbox): CrmRequest {
  return { name: 'Down.download(url)', source: 'app/services/whatsapp/incoming_message_whatsapp_cloud_service.rb', method: 'GET', path: '', headers: headers(inbox) };
}

/** Webhook setup after embedded signup (webhook_setup_service.rb via facebook_api_client.rb). */
export const webhookSetup = {
  /** `phone_number_verified?`: reads `code_verification_status == 'VERIFIED'`. */
  phoneNumber: (inbox: ChatwootInbox, version = 'v22.0'): CrmRequest => ({
    name: 'phone_number_verified?',
    source: 'app/services/whatsapp/facebook_api_client.rb',
    method: 'GET',
    path: `/${version}/${inbox.phoneNumberId}`,
    headers: headers(inbox),
  }),
  /** `register_phone_number` when not verified (a 6-digit pin it stores). */
  register: (inbox: ChatwootInbox, pin: string, version = 'v22.0'): CrmRequest => ({
    name: 'register_phone_number',
    source: 'app/services/whatsapp/facebook_api_client.rb',
    method: 'POST',
    path: `/${version}/${inbox.phoneNumberId}/register`,
    headers: headers(inbox),
    body: railsJson({ messaging_product: 'whatsapp', pin }),
  }),
  /** `subscribe_waba_webhook`: `{FRONTEND_URL}/webhooks/whatsapp` and the inbox's verify token. */
  subscribe: (inbox: ChatwootInbox, callbackUrl: string, verifyToken: string, version = 'v22.0'): CrmRequest => ({
    name: 'subscribe_waba_webhook',
    source: 'app/services/whatsapp/facebook_api_client.rb',
    method: 'POST',
    path: `/${version}/${inbox.businessAccountId}/subscribed_apps`,
    headers: headers(inbox),
    body: railsJson({ override_callback_uri: callbackUrl, verify_token: verifyToken }),
  }),
  /** `unsubscribe_waba_webhook` (inbox deleted). */
  unsubscribe: (inbox: ChatwootInbox, version = 'v22.0'): CrmRequest => ({
    name: 'unsubscribe_waba_webhook',
    source: 'app/services/whatsapp/facebook_api_client.rb',
    method: 'DELETE',
    path: `/${version}/${inbox.businessAccountId}/subscribed_apps`,
    headers: headers(inbox),
  }),
};

/** health_service.rb `fetch_health_status`: both nodes with `fields` and the key as `access_token`. */
export const health = {
  phoneNumber: (inbox: ChatwootInbox, version = 'v24.0'): CrmRequest => ({
    name: 'fetch_health_status (phone number)',
    source: 'app/services/whatsapp/health_service.rb',
    method: 'GET',
    path: `/${version}/${inbox.phoneNumberId}`,
    query: {
      fields: [
        'id', 'quality_rating', 'whatsapp_business_manager_messaging_limit', 'status', 'code_verification_status', 'account_mode',
        'display_phone_number', 'name_status', 'verified_name', 'webhook_configuration', 'throughput', 'last_onboarded_time', 'is_on_biz_app', 'platform_type',
      ].join(','),
      access_token: inbox.apiKey,
    },
  }),
  businessAccount: (inbox: ChatwootInbox, version = 'v24.0'): CrmRequest => ({
    name: 'fetch_health_status (business account)',
    source: 'app/services/whatsapp/health_service.rb',
    method: 'GET',
    path: `/${version}/${inbox.businessAccountId}`,
    query: { fields: 'id,name,owner_business_info', access_token: inbox.apiKey },
  }),
};

/**
 * What Chatwoot reads from a webhook POST (Webhooks::WhatsappEventsJob and
 * incoming_message_base_service.rb / incoming_message_service_helpers.rb): the inbox is found by
 * `"+" + metadata.display_phone_number` and kept only if `metadata.phone_number_id` equals its
 * `phone_number_id`; then `statuses.first` (`id`, `status`, `errors.first.code/title`) or
 * `messages.first` (`id`, `from`, `type`, `text.body` | `button.text` |
 * `interactive.button_reply.title` | `interactive.list_reply.title`, media `{id, caption}`,
 * `location`, `contacts`, `context.id`), `contacts.first` (`wa_id`, `profile.name`).
 * A message with an `errors` key is logged and dropped; reaction, ephemeral and unsupported
 * messages are skipped.
 */
export function chatwootRoutes(body: any, inbox: { phoneNumber: string; phoneNumberId: string }): boolean {
  if (body?.object !== 'whatsapp_business_account') return false;
  const value = body.entry?.[0]?.changes?.[0]?.value;
  return `+${value?.metadata?.display_phone_number}` === inbox.phoneNumber && value?.metadata?.phone_number_id === inbox.phoneNumberId;
}

/** `message_content(message)` of incoming_message_service_helpers.rb. */
export function chatwootContent(message: any): string | undefined {
  return message?.text?.body ?? message?.button?.text ?? message?.interactive?.button_reply?.title ?? message?.interactive?.list_reply?.title ?? message?.name?.formatted_name;
}
