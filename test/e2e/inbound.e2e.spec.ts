import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { OptInService } from '../../src/contacts/opt-in.service';
import { EventBus } from '../../src/events/event-bus';
import type { DomainEvent, DomainEventOf } from '../../src/events/domain-events';
import { SessionRegistry } from '../../src/sessions/session-registry';
import { isSandboxControl } from '../../src/whatsapp/engine/whatsapp-engine.port';
import { api, eventually } from '../support/http';
import { FAST_QUEUE_ENV, startTestApp, type TestApp } from '../support/test-app';
import { holds } from '../support/wait';
import { createToken } from '../support/factories';

/** Inbound messages, contacts, the opt-in conversation, calls, groups and workspaces (sandbox engine). */
describe('Inbound, contacts, opt-in, calls, groups, workspaces', () => {
  let t: TestApp;
  const events: DomainEvent[] = [];

  before(async () => {
    t = await startTestApp({
      env: { ...FAST_QUEUE_ENV, SANDBOX_RECEIPT_DELAY_MS: '0' },
    });
    t.app.get(EventBus).onAny((e) => void events.push(e));
  });
  after(async () => {
    await t?.destroy();
  });

  async function linked(phone: string, body: Record<string, unknown> = {}): Promise<string> {
    const { body: created } = await api(t).post('/api/sessions').send(body).expect(201);
    await api(t).post(`/api/sessions/${created.session.sessionId}/sandbox/link`).send({ phoneNumber: phone }).expect(200);
    return created.session.sessionId;
  }
  const inbound = (id: string, from: string, text: string) =>
    api(t).post(`/api/sessions/${id}/sandbox/inbound`).send({ from, text }).expect(202);
  const outbox = (id: string) => {
    const engine = t.app.get(SessionRegistry).readyEngine(id);
    assert.ok(engine && isSandboxControl(engine));
    return engine.outbox();
  };

  it('stores each inbound message once and lists it in history and contacts', async () => {
    const id = await linked('15559000001');
    const { body } = await inbound(id, '15559100001', 'Hello there');
    const list = await eventually(async () => {
      const res = await api(t).get(`/api/messages?sessionId=${id}&direction=inbound`).expect(200);
      return res.body.messages.length ? res.body.messages : null;
    });
    assert.equal(list[0].waMessageId, body.message.id);
    assert.equal(list[0].status, 'RECEIVED');
    assert.equal(list[0].from, '15559100001@s.whatsapp.net');
    assert.equal(list[0].content.text, 'Hello there');
    const received = events.filter((e) => e.type === 'message.received' && e.sessionId === id);
    assert.equal(received.length, 1);

    // The same WhatsApp message delivered twice (Baileys re-emits offline messages) is stored once.
    const engine = t.app.get(SessionRegistry).readyEngine(id)!;
    const duplicate = {
      id: body.message.id, chatJid: '15559100001@s.whatsapp.net', senderJid: '15559100001@s.whatsapp.net', senderPhone: '15559100001',
      pushName: 'Ann', timestamp: 1, type: 'text' as const, text: 'Hello there',
    };
    (engine as unknown as { emit(e: unknown): void }).emit({ type: 'message.received', message: duplicate });
    await holds(async () => (await api(t).get(`/api/messages?sessionId=${id}&direction=inbound`).expect(200)).body.messages.length === 1, {
      what: 'the duplicate is not stored',
    });
    assert.equal(events.filter((e) => e.type === 'message.received' && e.sessionId === id).length, 1);

    const contacts = await api(t).get(`/api/sessions/${id}/contacts?q=9100001`).expect(200);
    assert.equal(contacts.body.total, 1);
    assert.equal(contacts.body.contacts[0].phoneNumber, '15559100001');
    const all = await api(t).get('/api/contacts?q=15559100001').expect(200);
    assert.equal(all.body.contacts[0].sessionId, id);
  });

  it('stores synced contacts, one row per person even when a batch names it twice', async () => {
    const id = await linked('15559000013');
    const jid = '15559300001@s.whatsapp.net';
    t.app.get(EventBus).emit({
      type: 'engine.contacts',
      sessionId: id,
      contacts: [
        { jid, phoneNumber: '15559300001', lid: null, name: null, pushName: 'Jo' },
        // The same person again, as its LID entry mapped to the phone-number JID.
        { jid, phoneNumber: null, lid: '99887766554433@lid', name: 'Jo Bloggs', pushName: null },
        { jid: '15559300002@s.whatsapp.net', phoneNumber: '15559300002', lid: null, name: 'Sam', pushName: null },
      ],
    });
    const contacts = await eventually(async () => {
      const res = await api(t).get(`/api/sessions/${id}/contacts`).expect(200);
      return res.body.contacts.length === 2 ? res.body.contacts : null;
    });
    const jo = contacts.find((c: { jid: string }) => c.jid === jid);
    assert.deepEqual([jo.phoneNumber, jo.lid, jo.name, jo.pushName], ['15559300001', '99887766554433@lid', 'Jo Bloggs', 'Jo']);
  });

  it('prompts a contact once even when several of its messages arrive together', async () => {
    const id = await linked('15559000012');
    await api(t).patch(`/api/sessions/${id}/settings`).send({ requireOptIn: true, preset: 'off' }).expect(200);
    const contact = '15559200019@s.whatsapp.net';
    // Handlers for one contact's messages run as the bus delivers them, possibly together.
    const optIn = t.app.get(OptInService);
    await Promise.all(['hello', 'are you there', 'price?', 'hi'].map((text) => optIn.handle(id, { chat: contact, type: 'text', content: { text } })));
    await eventually(async () => outbox(id).some((m) => m.to === contact));
    await holds(() => outbox(id).filter((m) => m.to === contact).length === 1, { for: 300, what: 'one prompt for a burst' });
  });

  it('runs the opt-in conversation and the queue honours the answer', async () => {
    const id = await linked('15559000002');
    await api(t).patch(`/api/sessions/${id}/settings`).send({ requireOptIn: true, preset: 'off' }).expect(200);
    const contact = '15559200001@s.whatsapp.net';
    const texts = () => outbox(id).filter((m) => m.to === contact).map((m) => (m.content.kind === 'text' ? m.content.text : ''));

    const blocked = await api(t).post('/api/messages/send').send({ sessionId: id, to: '15559200001', type: 'text', text: 'promo' }).expect(202);
    await eventually(async () => (await api(t).get(`/api/messages/${blocked.body.message.id}`)).body.message.status === 'OPTED_OUT');

    await inbound(id, '15559200001', 'hi');
    await eventually(async () => texts().length === 1);
    assert.match(texts()[0], /Reply 1 or YES/);
    assert.match(texts()[0], /نعم/);
    await inbound(id, '15559200001', 'what?');
    await holds(() => texts().length === 1, { what: 'the prompt is sent once' });

    await inbound(id, '15559200001', 'نعم');
    await eventually(async () => texts().length === 2);
    assert.match(texts()[1], /subscribed/);
    const c = await api(t).get(`/api/sessions/${id}/contacts?optIn=yes`).expect(200);
    assert.equal(c.body.contacts[0].jid, contact);
    assert.ok(events.some((e) => e.type === 'contact.opt_in' && e.sessionId === id && (e.data as { optIn: string }).optIn === 'yes'));
    await api(t).post(`/api/messages/${blocked.body.message.id}/resend`).expect(202);
    await eventually(async () => texts().includes('promo'));

    await inbound(id, '15559200001', 'NO');
    await eventually(async () => texts().length === 4);
    const after = await api(t).post('/api/messages/send').send({ sessionId: id, to: '15559200001', type: 'text', text: 'again' }).expect(202);
    await eventually(async () => (await api(t).get(`/api/messages/${after.body.message.id}`)).body.message.status === 'OPTED_OUT');
    const set = await api(t).patch(`/api/sessions/${id}/contacts/15559200001`).send({ optIn: 'yes' }).expect(200);
    assert.equal(set.body.contact.optIn, 'yes');
  });

  it('rejects calls and answers the caller when the session says so', async () => {
    const id = await linked('15559000003');
    await api(t).post(`/api/sessions/${id}/sandbox/call`).send({ from: '15559300001' }).expect(202);
    await eventually(async () => events.some((e) => e.type === 'call.received' && e.sessionId === id));
    const calls = () => events.filter((e): e is DomainEventOf<'call.received'> => e.type === 'call.received' && e.sessionId === id);
    const first = calls()[0];
    assert.equal((first.data as { rejected: boolean }).rejected, false);

    await api(t).patch(`/api/sessions/${id}/settings`).send({ rejectCalls: true, rejectMessage: 'Sorry, no calls. Write to us here.', preset: 'off' }).expect(200);
    const { body } = await api(t).post(`/api/sessions/${id}/sandbox/call`).send({ from: '15559300001', isVideo: true }).expect(202);
    const engine = t.app.get(SessionRegistry).readyEngine(id)!;
    assert.ok(isSandboxControl(engine));
    await eventually(async () => engine.rejectedCalls().some((c) => c.id === body.call.id));
    await eventually(async () => outbox(id).some((m) => m.content.kind === 'text' && m.content.text === 'Sorry, no calls. Write to us here.'));
    // The second call's event may follow the rejection and the reply: wait for it.
    const rejected = await eventually(async () => calls()[1]);
    assert.equal((rejected.data as { rejected: boolean }).rejected, true);
    assert.equal((rejected.data as { call: { isVideo: boolean } }).call.isVideo, true);
  });

  it('lists groups with a 4-minute cache and sends to a group JID', async () => {
    const id = await linked('15559000004');
    const first = await api(t).get(`/api/sessions/${id}/groups`).expect(200);
    assert.equal(first.body.fromCache, false);
    assert.equal(first.body.groups.length, 2);
    const second = await api(t).get(`/api/sessions/${id}/groups`).expect(200);
    assert.equal(second.body.fromCache, true);
    assert.equal(second.body.cachedAt, first.body.cachedAt);
    const refreshed = await api(t).get(`/api/sessions/${id}/groups?refresh=true`).expect(200);
    assert.equal(refreshed.body.fromCache, false);
    const jid = first.body.groups[0].jid;
    const one = await api(t).get(`/api/sessions/${id}/groups/${jid.split('@')[0]}`).expect(200);
    assert.equal(one.body.group.subject, 'Sandbox group 1');
    assert.equal(one.body.group.participants.length, 2);
    const missing = await api(t).get(`/api/sessions/${id}/groups/999@g.us?refresh=true`).expect(404);
    assert.equal(missing.body.error.code, 'GROUP_NOT_FOUND');
    const sent = await api(t).post('/api/messages/send').send({ sessionId: id, to: jid, type: 'text', text: 'hello group' }).expect(202);
    await eventually(async () => outbox(id).some((m) => m.id === sent.body.message.waMessageId && m.to === jid));
  });

  it('groups sessions in workspaces and scopes tokens to one', async () => {
    const a = await linked('15559000005', { workspace: 'Marketing' });
    const b = await linked('15559000006', { workspace: 'Support' });
    const marketing = await api(t).get('/api/sessions?workspace=Marketing').expect(200);
    assert.deepEqual(marketing.body.sessions.map((s: { sessionId: string }) => s.sessionId), [a]);
    const ws = await api(t).get('/api/workspaces').expect(200);
    assert.ok(ws.body.workspaces.some((w: { name: string; sessions: number }) => w.name === 'Support' && w.sessions === 1));
    const { body } = await api(t).post('/api/auth/tokens').send({ name: 'mkt', workspace: 'Marketing' }).expect(201);
    const scoped = api(t, body.token);
    const visible = await scoped.get('/api/sessions').expect(200);
    assert.deepEqual(visible.body.sessions.map((s: { sessionId: string }) => s.sessionId), [a]);
    await scoped.get(`/api/sessions/${b}`).expect(403);
    await scoped.post('/api/messages/send').send({ sessionId: b, to: '15559400001', type: 'text', text: 'x' }).expect(403);
    await scoped.post('/api/messages/send').send({ sessionId: a, to: '15559400001', type: 'text', text: 'x' }).expect(202);
    const created = await scoped.post('/api/sessions').send({}).expect(201);
    assert.equal((await api(t).get(`/api/sessions/${created.body.session.sessionId}`).expect(200)).body.session.settings.workspace, 'Marketing');
    await scoped.post('/api/sessions').send({ workspace: 'Support' }).expect(403);
    await api(t).post('/api/workspace').send({ token: b, workspace: 'Marketing' }).expect(200);
    await scoped.get(`/api/sessions/${b}`).expect(200);
  });
});

describe('Dashboard overview', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ env: { DEFAULT_MIN_DELAY_MS: '0', DEFAULT_MAX_DELAY_MS: '0', SANDBOX_RECEIPT_DELAY_MS: '0' } });
  });
  after(async () => {
    await t?.destroy();
  });

  it('counts sessions by status, messages over 24 hours and webhook health', async () => {
    const { body } = await api(t).post('/api/sessions').send({}).expect(201);
    const id = body.session.sessionId;
    await api(t).post('/api/sessions').send({}).expect(201);
    await api(t).post(`/api/sessions/${id}/sandbox/link`).send({ phoneNumber: '15559900001' }).expect(200);
    const sent = await api(t).post('/api/messages/send').send({ sessionId: id, to: '15559900002', type: 'text', text: 'x' }).expect(202);
    await api(t).post(`/api/sessions/${id}/sandbox/inbound`).send({ from: '15559900002', text: 'y' }).expect(202);
    await eventually(async () => (await api(t).get(`/api/messages/${sent.body.message.id}`)).body.message.status === 'SENT');
    const overview = await eventually(async () => {
      const res = await api(t).get('/api/dashboard/overview').expect(200);
      return res.body.overview.messages.last24h.inbound === 1 ? res.body.overview : null;
    });
    assert.equal(overview.sessions.total, 2);
    assert.deepEqual(overview.sessions.byStatus, { READY: 1, REGISTERING: 1 });
    assert.equal(overview.messages.last24h.outbound.SENT, 1);
    assert.equal(overview.messages.hourly.reduce((a: number, h: { outbound: number }) => a + h.outbound, 0), 1);
    assert.equal(overview.webhooks.total, 0);
    assert.equal(overview.sessions.live, 2);
    await api(t, null).get('/api/dashboard/overview').expect(401);

    // A token bound to one session sees that session's figures only, live count included.
    const other = (await api(t).get('/api/sessions').expect(200)).body.sessions.find((s: { sessionId: string }) => s.sessionId !== id).sessionId;
    const token = await createToken(t, { name: 'one', sessionId: other });
    const bound = (await api(t, token).get('/api/dashboard/overview').expect(200)).body.overview;
    assert.deepEqual(bound.sessions, { total: 1, live: 1, byStatus: { REGISTERING: 1 } });
    assert.equal(bound.messages.last24h.inbound, 0);
    assert.deepEqual(bound.messages.last24h.outbound, {});
  });
});
