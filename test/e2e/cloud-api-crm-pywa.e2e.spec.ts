import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { encodeWamid } from '../../src/cloud-api/wamid';
import { phoneNumberIdOf } from '../../src/common/utils/graph-ids';
import { linkedSandboxSession, receiveText, sentByWamid } from '../support/cloud-api';
import { createToken } from '../support/factories';
import { mediaFixtures, serveFiles, type FileServer, type MediaFixtures } from '../support/media-fixtures';
import { FAST_QUEUE_ENV, startTestApp, type TestApp } from '../support/test-app';
import * as pywa from '../support/crm-requests/pywa';
import { replay, replayBytes, type CrmRequest } from '../support/crm-requests/request';

const PHONE = '15550340000';

/** pywa fields of BusinessPhoneNumber (pywa/types/others.py), all requested by get_business_phone_number(). */
const PYWA_PHONE_FIELDS = [
  'id', 'verified_name', 'display_phone_number', 'conversational_automation', 'status', 'quality_rating', 'quality_score', 'webhook_configuration',
  'name_status', 'new_name_status', 'code_verification_status', 'account_mode', 'is_on_biz_app', 'is_official_business_account', 'is_pin_enabled',
  'is_preverified_number', 'search_visibility', 'platform_type', 'throughput', 'eligibility_for_api_business_global_search', 'health_status',
  'certificate', 'new_certificate', 'last_onboarded_time', 'country_code', 'country_dial_code', 'whatsapp_business_manager_messaging_limit',
];

/**
 * pywa's outgoing calls replayed against Switchboard (test/support/crm-requests/pywa.ts), with
 * answers read as pywa reads them (a status ≥ 400 raises WhatsAppError from `error`).
 */
describe('pywa client calls against Switchboard', () => {
  let t: TestApp;
  let fx: MediaFixtures;
  let files: FileServer;
  let session: { id: string; mobid: string };
  let client: pywa.PywaClient;

  before(async () => {
    fx = await mediaFixtures();
    files = await serveFiles({ 'photo.png': fx.png });
    t = await startTestApp({ env: { ...FAST_QUEUE_ENV, MEDIA_URL_ALLOWLIST: '127.0.0.1' } });
    session = await linkedSandboxSession(t, PHONE);
    client = { token: await createToken(t, { name: 'pywa', sessionId: session.id }), phoneId: phoneNumberIdOf(session.id), apiVersion: '22.0' };
  });
  after(async () => {
    await t?.destroy();
    await files?.close();
  });

  const call = async (req: CrmRequest) => {
    const res = await replay(t.url, req);
    assert.ok(res.status < 400, `${req.name} raises WhatsAppError: ${res.text}`);
    return res.json;
  };
  /** SentMessage.from_sent_update: messages[0].id, contacts[0].input / wa_id. */
  const sent = async (req: CrmRequest, input: string) => {
    const body = await call(req);
    assert.equal(body.contacts[0].input, input);
    assert.match(body.contacts[0].wa_id, /^\d+$/);
    return { id: body.messages[0].id as string, out: await sentByWamid(t, session.id, body.messages[0].id) };
  };

  it('sends a text (recipient_type individual, preview_url false), a reply with context and a tracker', async () => {
    const first = await sent(pywa.sendText(client, '16505551234', 'Hello from PyWa!'), '16505551234');
    assert.deepEqual(first.out.content, { kind: 'text', text: 'Hello from PyWa!', mentions: undefined });
    const stored = await receiveText(t, session.id, '16505551234', 'hi bot');
    const reply = await sent(pywa.sendText(client, '16505551234', 'Hi human', { replyTo: encodeWamid({ chatJid: stored.chatJid, fromMe: false, id: stored.waMessageId }), tracker: 'order:42' }), '16505551234');
    assert.equal(reply.out.quoted?.id, stored.waMessageId);
  });

  it('sends reply buttons and an image by link', async () => {
    const buttons = await sent(pywa.sendButtons(client, '16505552345', 'Continue?', [{ id: 'y', title: 'Yes' }, { id: 'n', title: 'No' }]), '16505552345');
    assert.ok(buttons.out.content.kind === 'text');
    assert.match(buttons.out.content.text, /Continue\?[\s\S]*1\. Yes[\s\S]*2\. No/);
    const image = await sent(pywa.sendImage(client, '16505552345', `${files.url}/photo.png`, 'a photo'), '16505552345');
    assert.ok(image.out.content.kind === 'image');
    assert.equal(image.out.content.caption, 'a photo');
  });

  it('marks a message read and shows typing', async () => {
    const stored = await receiveText(t, session.id, '16505553456', 'are you typing?');
    const wamid = encodeWamid({ chatJid: stored.chatJid, fromMe: false, id: stored.waMessageId });
    assert.deepEqual(await call(pywa.markRead(client, wamid, false)), { success: true });
    assert.deepEqual(await call(pywa.markRead(client, wamid, true)), { success: true });
  });

  it('uploads media, gets its URL and downloads it with the same client', async () => {
    const { id } = await call(pywa.uploadMedia(client, fx.png, 'image/png', 'photo.png'));
    const info = await call(pywa.mediaUrl(client, id));
    assert.equal(info.mime_type, 'image/png');
    assert.equal(info.id, id);
    const file = await replayBytes(pywa.mediaUrl(client, id), info.url);
    assert.ok(file.bytes.equals(fx.png));
  });

  it('reads the business phone number with every field pywa asks for', async () => {
    const number = await call(pywa.businessPhoneNumber(client, PYWA_PHONE_FIELDS));
    assert.equal(number.id, client.phoneId);
    assert.equal(number.display_phone_number.replace(/\D/g, ''), PHONE);
    for (const key of Object.keys(number)) assert.ok(PYWA_PHONE_FIELDS.includes(key), `only requested fields (${key})`);
  });
});
