import assert from 'node:assert/strict';
import { describe, it } from '../../support/node-test';
import { formatPhone, phoneDigits } from '../../../web/src/lib/phone';

describe('dashboard: phone numbers', () => {
  it('shows numbers in international form, from digits, JIDs and device JIDs', () => {
    assert.equal(formatPhone('919876543210'), '+91 98765 43210');
    assert.equal(formatPhone('447700900123'), '+44 7700 900123');
    assert.equal(formatPhone('14155552671@s.whatsapp.net'), '+1 415 555 2671');
    assert.equal(formatPhone('919876543210:12@s.whatsapp.net'), '+91 98765 43210');
    assert.equal(formatPhone('+91 98765 43210'), '+91 98765 43210');
  });

  it('leaves what is not a number as it is, and empty as empty', () => {
    assert.equal(formatPhone(null), '');
    assert.equal(formatPhone(''), '');
    assert.equal(formatPhone('120363025246125486@g.us'), '120363025246125486@g.us');
    assert.equal(formatPhone('support'), 'support');
  });

  it('reads what a person types as the digits the API takes', () => {
    assert.equal(phoneDigits('+91 98765-43210'), '919876543210');
    assert.equal(phoneDigits('0091 (98765) 43210'), '919876543210');
    assert.equal(phoneDigits('919876543210'), '919876543210');
    assert.equal(phoneDigits('98765'), null);
    assert.equal(phoneDigits('call me'), null);
  });
});
