import type { AnyMessageContent, MiscMessageGenerationOptions, WAMessage } from '@whiskeysockets/baileys';
import type { MessageRef, OutgoingContent, OutgoingMessage } from '../engine/outgoing-message';

/** Our outgoing content → what `sock.sendMessage` takes. Media stream from the stored file. */
export function toBaileysContent(content: OutgoingContent): AnyMessageContent {
  switch (content.kind) {
    case 'text':
      return { text: content.text, ...(content.mentions?.length ? { mentions: content.mentions } : {}) };
    case 'image':
      return { image: { url: content.media.path }, mimetype: content.media.mimetype, caption: content.caption, mentions: content.mentions };
    case 'video':
      return { video: { url: content.media.path }, mimetype: content.media.mimetype, caption: content.caption, mentions: content.mentions };
    case 'audio':
      return { audio: { url: content.media.path }, mimetype: content.media.mimetype, ptt: false };
    case 'voice': {
      // `waveform` is not in the .d.ts union but Baileys passes it through to AudioMessage;
      // both seconds and waveform are given so Baileys does not re-derive them (Utils/messages.js).
      const voice = {
        audio: { url: content.media.path },
        mimetype: 'audio/ogg; codecs=opus',
        ptt: true,
        seconds: content.seconds,
        waveform: content.waveform,
      };
      return voice as AnyMessageContent;
    }
    case 'document':
      return {
        document: { url: content.media.path },
        mimetype: content.media.mimetype,
        fileName: content.fileName,
        caption: content.caption,
      };
    case 'sticker':
      return { sticker: { url: content.media.path }, mimetype: 'image/webp' } as AnyMessageContent;
    case 'location':
      return {
        location: {
          degreesLatitude: content.latitude,
          degreesLongitude: content.longitude,
          name: content.name,
          address: content.address,
        },
      };
    case 'contacts':
      return { contacts: { displayName: content.displayName, contacts: content.vcards.map((vcard) => ({ vcard })) } };
    case 'reaction':
      return { react: { text: content.emoji, key: toKey(content.target) } };
  }
}

export function toSendOptions(message: OutgoingMessage): MiscMessageGenerationOptions {
  const options: MiscMessageGenerationOptions = { messageId: message.id };
  if (message.quoted) options.quoted = toQuoted(message.quoted);
  return options;
}

function toKey(ref: MessageRef) {
  return { remoteJid: ref.chatJid, fromMe: ref.fromMe, id: ref.id, ...(ref.participant ? { participant: ref.participant } : {}) };
}

/** Baileys quotes a whole WAMessage; the key and a text body are what the reply bubble needs. */
function toQuoted(ref: MessageRef): WAMessage {
  return { key: toKey(ref), message: { conversation: ref.text ?? '' } } as WAMessage;
}
