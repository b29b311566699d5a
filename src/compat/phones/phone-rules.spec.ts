import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCountry, phoneDigits, recipientJid } from './phone-rules';

describe('phones manager recipient rules', () => {
  it('takes anything with @ as a JID, as it is', () => {
    assert.equal(recipientJid('120363025246125888@g.us'), '120363025246125888@g.us');
    assert.equal(recipientJid('919876543210@s.whatsapp.net', 'IN'), '919876543210@s.whatsapp.net');
  });

  it('validates a number for the given country, as ISO code or calling code', () => {
    assert.equal(recipientJid('9876543210', 'IN'), '919876543210@s.whatsapp.net');
    assert.equal(recipientJid('98765 43210', '91'), '919876543210@s.whatsapp.net');
    assert.equal(recipientJid('(201) 555-0123', 'us'), '12015550123@s.whatsapp.net');
    assert.throws(() => recipientJid('12345', 'IN'), /not a valid phone number for country IN/);
    assert.throws(() => recipientJid('9876543210', 'XX1'), (e: any) => e.code === 'RECIPIENT_INVALID' && e.details.fields[0].field === 'country');
  });

  it('without country appends @s.whatsapp.net to 7 to 15 digits only', () => {
    assert.equal(recipientJid('1234567'), '1234567@s.whatsapp.net');
    assert.equal(recipientJid('+44 7700 900123'), '447700900123@s.whatsapp.net');
    assert.equal(recipientJid('123456789012345'), '123456789012345@s.whatsapp.net');
    for (const bad of ['123456', '1234567890123456', 'abc1234567', '']) assert.throws(() => recipientJid(bad), (e: any) => e.code === 'RECIPIENT_INVALID');
  });

  it('lets jid override recipient', () => {
    assert.equal(recipientJid('nonsense', undefined, '447700900123@s.whatsapp.net'), '447700900123@s.whatsapp.net');
    assert.throws(() => recipientJid('1234567', undefined, '1234567'), (e: any) => e.details.fields[0].field === 'jid');
  });

  it('parses countries and phone numbers to add', () => {
    assert.deepEqual(parseCountry('in'), { iso: 'IN' });
    assert.deepEqual(parseCountry('+91'), { callingCode: '91' });
    assert.equal(parseCountry('India'), null);
    assert.equal(phoneDigits('+91 98765 43210'), '919876543210');
    assert.equal(phoneDigits('9876543210', 'IN'), '919876543210');
    assert.equal(phoneDigits('+1 201 555 0123', 'IN'), '12015550123');
    assert.equal(phoneDigits('12'), null);
  });
});
