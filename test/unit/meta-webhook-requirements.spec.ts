import assert from 'node:assert/strict';
import type { CloudApiSendMemory } from '../../src/cloud-api/cloud-api-send-memory';
import { CloudApiWebhookFormatter } from '../../src/cloud-api/cloud-api-webhook.formatter';
import { missingFor } from '../support/meta-webhook-requirements';
import { describe, it } from '../support/node-test';

const memory = { numberOf: () => '15550100000', workspaceOf: () => null, callbackDataOf: () => undefined, replyOptionsIn: () => undefined } as unknown as CloudApiSendMemory;
const formatter = new CloudApiWebhookFormatter(memory, 1000);
const inbound = (type: string, content: Record<string, unknown>) =>
  JSON.parse(
    formatter.format({
      id: 'evt_1',
      event: 'message.received',
      sessionId: 'qr_1_abc',
      createdAt: '2026-01-01T00:00:00.000Z',
      data: { message: { id: '6f1c1d4e-1b7e-4c63-9a51-8a8a0e1e2f3a', waMessageId: 'IN1', chat: '16505551234@s.whatsapp.net', from: '16505551234@s.whatsapp.net', type, createdAt: '2026-01-01T00:00:00.000Z', content } },
    })[0].body,
  );

/** The conformance checker itself: it names each client whose read a payload would break. */
describe('Meta webhook requirements (unit)', () => {
  it('finds nothing missing in a payload the formatter builds', () => {
    assert.deepEqual(missingFor(inbound('sticker', { media: { mimetype: 'image/webp', sha256: 'AAA=' } }), 'sticker'), []);
  });

  it('names the clients that index a missing key: sha256 (pywa 3 and 4), user_id (pywa 4, Chatwoot), wa_id (pywa 3, Chatwoot)', () => {
    const body = inbound('image', { media: { mimetype: 'image/jpeg', sha256: 'AAA=' } });
    const value = body.entry[0].changes[0].value;
    delete value.messages[0].image.sha256;
    assert.deepEqual(missingFor(body, 'image'), ['pywa 4.0.0 – 4.4.0: M.image.sha256', 'pywa 3.0.0 – 3.9.0: M.image.sha256']);
    value.messages[0].image.sha256 = 'AAA=';
    delete value.contacts[0].user_id;
    assert.deepEqual(
      missingFor(body, 'image').map((m) => m.split(':')[0]),
      ['pywa 4.0.0 – 4.4.0', 'chatwoot v4.x (incoming_message_base_service.rb with incoming_message_identifier_helper.rb)'],
    );
    delete value.contacts;
    assert.ok(missingFor(body, 'image').includes('pywa 3.0.0 – 3.9.0: value.contacts.0.wa_id'));
  });
});
