import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { wabaIdOf } from '../common/utils/graph-ids';
import { businessUserIdOf, chatOfBusinessUserId, isBusinessUserId } from './business-user-id';

const WABA = wabaIdOf('shop');
const OTHER = wabaIdOf(null);

describe('business-scoped user ids', () => {
  it("look like Meta's (country, dot, 20 digits) and are stable per WABA", () => {
    const id = businessUserIdOf('16505551234@s.whatsapp.net', WABA)!;
    assert.match(id, /^US\.\d{20}$/);
    assert.equal(businessUserIdOf('16505551234@c.us', WABA), id);
    assert.equal(businessUserIdOf('16505551234', WABA), id);
    assert.equal(businessUserIdOf('16505551234:3@s.whatsapp.net', WABA), id);
    assert.notEqual(businessUserIdOf('16505551234@s.whatsapp.net', OTHER), id);
    assert.match(businessUserIdOf('919876543210@s.whatsapp.net', WABA)!, /^IN\.\d{20}$/);
    assert.ok(isBusinessUserId(id));
    assert.ok(!isBusinessUserId('16505551234'));
  });

  it('map back to the chat under the same WABA only, for numbers and LIDs', () => {
    for (const chat of ['16505551234@s.whatsapp.net', '447700900123@s.whatsapp.net', '5511987654321@s.whatsapp.net', '123456789012345@lid', '42@lid']) {
      const id = businessUserIdOf(chat, WABA)!;
      assert.equal(chatOfBusinessUserId(id, WABA), chat, chat);
      assert.equal(chatOfBusinessUserId(id.toLowerCase(), WABA), chat);
      assert.equal(chatOfBusinessUserId(id, OTHER), null, `${chat} under another WABA`);
    }
    assert.match(businessUserIdOf('123456789012345@lid', WABA)!, /^ZZ\.\d{20}$/);
  });

  it('reject what was not made here: altered digits, wrong country, malformed ids, groups', () => {
    const id = businessUserIdOf('16505551234@s.whatsapp.net', WABA)!;
    const digits = id.slice(3);
    const altered = `US.${digits.slice(0, 19)}${(Number(digits[19]) + 1) % 10}`;
    assert.equal(chatOfBusinessUserId(altered, WABA), null);
    assert.equal(chatOfBusinessUserId(`GB.${digits}`, WABA), null);
    assert.equal(chatOfBusinessUserId('US.13491208655302741918', WABA), null);
    assert.equal(chatOfBusinessUserId('US.99999999999999999999', WABA), null);
    assert.equal(chatOfBusinessUserId('16505551234', WABA), null);
    assert.equal(businessUserIdOf('120363025246125486@g.us', WABA), null);
    assert.equal(businessUserIdOf('status@broadcast', WABA), null);
  });
});
