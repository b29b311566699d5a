import assert from 'node:assert/strict';
import { OptInService } from '../../src/contacts/opt-in.service';
import { DEFAULT_OPT_IN_TEXTS } from '../../src/sessions/session-settings';
import { beforeEach, describe, it } from '../support/node-test';

type OptIn = 'yes' | 'no' | 'pending' | null;

/**
 * The opt-in conversation's rules with its collaborators faked: what a contact's reply
 * records and which message answers it. The fakes keep contacts in a map and collect the
 * system texts sent; each awaits a turn of the event loop, as a database call would.
 */
describe('Opt-in conversation (unit)', () => {
  const SESSION = 'qr_1_00000001';
  const CHAT = '15550001111@s.whatsapp.net';
  let requireOptIn: boolean;
  let contacts: Map<string, { optIn: OptIn }>;
  let recorded: { jid: string; phone: string | null; optIn: OptIn; source: string }[];
  let sent: { chat: string; text: string; system: string }[];
  /** Recorded answers and sent texts in the order they happened. */
  let steps: string[];
  let service: OptInService;

  const tick = () => new Promise<void>((r) => setImmediate(r));
  beforeEach(() => {
    requireOptIn = true;
    contacts = new Map();
    recorded = [];
    sent = [];
    steps = [];
    const fakeContacts = {
      find: async (_session: string, jid: string) => (await tick(), contacts.get(jid) ?? null),
      record: async (_session: string, jid: string, phone: string | null, optIn: OptIn, source: string) => {
        await tick();
        contacts.set(jid, { optIn });
        recorded.push({ jid, phone, optIn, source });
        steps.push(`record ${optIn}`);
        return { jid, optIn };
      },
    };
    const fakeSessions = { settingsOf: async () => (await tick(), { requireOptIn, ...DEFAULT_OPT_IN_TEXTS }) };
    const fakeMessages = {
      sendSystemText: async (_s: string, chat: string, text: string, system: string) => {
        await tick();
        sent.push({ chat, text, system });
        steps.push(text === DEFAULT_OPT_IN_TEXTS.optInConfirmYes ? 'confirm yes' : 'text');
      },
    };
    service = new OptInService({ on: () => () => undefined } as never, fakeContacts as never, fakeSessions as never, fakeMessages as never);
  });

  const reply = (text: string, chat = CHAT) => service.handle(SESSION, { chat, type: 'text', content: { text } });

  it('prompts a contact it has no answer from, once, and records them pending', async () => {
    await reply('hello');
    await reply('are you there?');
    assert.deepEqual(recorded, [{ jid: CHAT, phone: '15550001111', optIn: 'pending', source: 'prompt' }]);
    assert.deepEqual(sent, [{ chat: CHAT, text: DEFAULT_OPT_IN_TEXTS.optInPrompt, system: 'opt-in' }]);
  });

  it('sends one prompt for a burst of messages arriving together', async () => {
    await Promise.all(['hi', 'hello', 'price?', 'anyone'].map((t) => reply(t)));
    assert.equal(sent.length, 1);
    assert.equal(recorded.length, 1);
  });

  for (const yes of ['1', 'YES', 'yes!', ' Y ', 'نعم', 'Yes.']) {
    it(`opts in on ${JSON.stringify(yes)} and confirms`, async () => {
      await reply(yes);
      assert.deepEqual(recorded.map((r) => [r.optIn, r.source]), [['yes', 'reply']]);
      assert.deepEqual(sent.map((s) => s.text), [DEFAULT_OPT_IN_TEXTS.optInConfirmYes]);
    });
  }

  for (const no of ['2', 'no', 'NO!', 'n', 'لا']) {
    it(`opts out on ${JSON.stringify(no)} and confirms`, async () => {
      await reply(no);
      assert.deepEqual(recorded.map((r) => [r.optIn, r.source]), [['no', 'reply']]);
      assert.deepEqual(sent.map((s) => s.text), [DEFAULT_OPT_IN_TEXTS.optInConfirmNo]);
    });
  }

  it('confirms a change of mind, but not the same answer twice', async () => {
    await reply('yes');
    await reply('1');
    await reply('no');
    await reply('2');
    await reply('yes');
    assert.deepEqual(recorded.map((r) => r.optIn), ['yes', 'no', 'yes']);
    assert.deepEqual(sent.map((s) => s.text), [DEFAULT_OPT_IN_TEXTS.optInConfirmYes, DEFAULT_OPT_IN_TEXTS.optInConfirmNo, DEFAULT_OPT_IN_TEXTS.optInConfirmYes]);
  });

  it('queues the YES confirmation before recording the answer, so released held messages follow it', async () => {
    await reply('yes');
    assert.deepEqual(steps, ['confirm yes', 'record yes']);
  });

  it('does not re-prompt a contact who answered, whatever they write next', async () => {
    contacts.set(CHAT, { optIn: 'no' });
    await reply('what is this?');
    assert.deepEqual([recorded, sent], [[], []]);
  });

  it('does nothing for sessions without requireOptIn, and for groups', async () => {
    requireOptIn = false;
    await reply('hello');
    await reply('yes');
    requireOptIn = true;
    await reply('hello', '120363000000000001@g.us');
    assert.deepEqual([recorded, sent], [[], []]);
  });

  it('records no phone number for a LID chat, and keeps the conversation per contact', async () => {
    const lid = '123456789012345@lid';
    await Promise.all([reply('hi', lid), reply('hi', CHAT)]);
    assert.deepEqual(recorded.map((r) => [r.jid, r.phone]).sort(), [[CHAT, '15550001111'], [lid, null]].sort());
    assert.equal(sent.length, 2);
  });
});
