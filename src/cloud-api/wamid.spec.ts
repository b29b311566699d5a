import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeWamid, encodeWamid, toMessageRef } from './wamid';

describe('wamid', () => {
  it("decodes Meta's own example wamid as a WhatsApp message key", () => {
    assert.deepEqual(decodeWamid('wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA'), {
      chatJid: '16505551234@s.whatsapp.net',
      fromMe: true,
      id: '9A3CA5B3D4CD6E67E7',
    });
  });

  it('encodes byte for byte like Meta and round-trips every server and direction', () => {
    assert.equal(
      encodeWamid({ chatJid: '16505551234@s.whatsapp.net', fromMe: true, id: '9A3CA5B3D4CD6E67E7' }),
      'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA',
    );
    for (const key of [
      { chatJid: '919846303025@s.whatsapp.net', fromMe: true, id: '3EB0A1B2C3D4E5F6071829' },
      { chatJid: '120363041234567890@g.us', fromMe: false, id: 'ABCDEF0123456789' },
      { chatJid: '123456789012345@lid', fromMe: false, id: 'X'.repeat(200) },
    ]) {
      const wamid = encodeWamid(key);
      assert.match(wamid, /^wamid\.[A-Za-z0-9+/]+=*$/);
      assert.deepEqual(decodeWamid(wamid), key);
      assert.equal(toMessageRef(wamid), key.id);
    }
  });

  it('takes raw ids and undecodable wamids as they are', () => {
    assert.equal(decodeWamid('3EB0ABC'), null);
    assert.equal(decodeWamid('wamid.not-thrift'), null);
    assert.equal(toMessageRef('3EB0A1B2C3D4E5F6071829'), '3EB0A1B2C3D4E5F6071829');
    assert.equal(toMessageRef('wamid.3EB0A1B2'), '3EB0A1B2');
    assert.equal(toMessageRef('6f1c1d4e-1b7e-4c63-9a51-8a8a0e1e2f3a'), '6f1c1d4e-1b7e-4c63-9a51-8a8a0e1e2f3a');
  });
});
