import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGraphAccountId, phoneNumberIdOf, wabaIdOf } from './graph-ids';

describe('graph ids', () => {
  it('gives each session a stable 15-digit phone number id starting with 1', () => {
    const id = phoneNumberIdOf('qr_3f9a');
    assert.match(id, /^1\d{14}$/);
    assert.equal(phoneNumberIdOf('qr_3f9a'), id);
    assert.notEqual(phoneNumberIdOf('qr_3f9b'), id);
    assert.ok(Number.isSafeInteger(Number(id)), 'survives a client that parses it as a number');
  });

  it('gives each workspace, and the sessions without one, a stable WABA id starting with 2', () => {
    assert.match(wabaIdOf(null), /^2\d{14}$/);
    assert.equal(wabaIdOf('support'), wabaIdOf('support'));
    assert.notEqual(wabaIdOf('support'), wabaIdOf('sales'));
    assert.notEqual(wabaIdOf(null), wabaIdOf('support'));
  });

  it('tells account ids from media ids and phone numbers by shape', () => {
    assert.ok(isGraphAccountId(phoneNumberIdOf('x')));
    assert.ok(isGraphAccountId(wabaIdOf('x')));
    assert.ok(!isGraphAccountId('1037543291543636'));
    assert.ok(!isGraphAccountId('919876543210'));
  });

  it('spreads ids without collisions over many sessions', () => {
    const ids = new Set(Array.from({ length: 20_000 }, (_, i) => phoneNumberIdOf(`qr_${i}`)));
    assert.equal(ids.size, 20_000);
  });
});
