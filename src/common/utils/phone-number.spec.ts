import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizePhoneNumber } from './phone-number';

describe('normalizePhoneNumber', () => {
  it('gives a 10-digit national number the default country (the connections manager)', () => {
    assert.equal(normalizePhoneNumber('9876543210', 'IN'), '919876543210');
  });

  it('keeps international numbers in any common format', () => {
    assert.equal(normalizePhoneNumber('+91 98765 43210', 'US'), '919876543210');
    assert.equal(normalizePhoneNumber('919876543210', 'IN'), '919876543210');
    assert.equal(normalizePhoneNumber('0091-98765-43210'), '919876543210');
    assert.equal(normalizePhoneNumber('(+44) 7700 900123', 'IN'), '447700900123');
  });

  it('rejects what cannot be a phone number', () => {
    assert.equal(normalizePhoneNumber('hello'), null);
    assert.equal(normalizePhoneNumber('12345'), null);
    assert.equal(normalizePhoneNumber('1234567890123456789'), null);
    assert.equal(normalizePhoneNumber('91@s.whatsapp.net'), null);
  });
});
