import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { businessUserIdOf, isBusinessUserId } from './business-user-id';

describe('businessUserIdOf', () => {
  it("is the number's country and 20 digits, the same for the same chat and account", () => {
    const id = businessUserIdOf('16505551234@s.whatsapp.net', '201234567890123');
    assert.match(id, /^US\.[1-9]\d{19}$/);
    assert.ok(isBusinessUserId(id));
    assert.equal(businessUserIdOf('16505551234:7@s.whatsapp.net', '201234567890123'), id, 'the device suffix does not matter');
    assert.match(businessUserIdOf('919876543210@s.whatsapp.net', '201234567890123'), /^IN\./);
    assert.match(businessUserIdOf('5511987654321@s.whatsapp.net', '201234567890123'), /^BR\./);
    // Outside any allocated range: the main country of the calling code.
    assert.match(businessUserIdOf('447700900123@s.whatsapp.net', '201234567890123'), /^GB\./);
  });

  it('differs between accounts and between contacts, and uses ZZ without a phone number', () => {
    const a = businessUserIdOf('16505551234@s.whatsapp.net', '201234567890123');
    assert.notEqual(businessUserIdOf('16505551234@s.whatsapp.net', '209999999999999'), a);
    assert.notEqual(businessUserIdOf('16505551235@s.whatsapp.net', '201234567890123'), a);
    const lid = businessUserIdOf('123456789012345@lid', '201234567890123');
    assert.match(lid, /^ZZ\.\d{20}$/);
    assert.notEqual(lid.slice(3), businessUserIdOf('123456789012345@s.whatsapp.net', '201234567890123').slice(3), 'a LID is not taken for a number');
  });
});
