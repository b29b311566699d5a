import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { devicePhoneNumber, deviceRecipientJid } from './device-phone';
import { renderDevicesError } from './devices.errors';
import { kindOfMime } from './devices.service';

describe('device-token gateway numbers', () => {
  it('takes country code + digits, ignoring +, spaces and dashes, never adding a country', () => {
    assert.equal(devicePhoneNumber('628123456789'), '628123456789');
    assert.equal(devicePhoneNumber('+62 812-3456-789'), '628123456789');
    assert.equal(devicePhoneNumber('9611234567'), '9611234567');
    assert.equal(devicePhoneNumber('(961) 1.234.567'), '9611234567');
  });

  it('refuses fewer than 7 or more than 15 digits and anything that is not a number', () => {
    for (const bad of ['123456', '1234567890123456', 'abc', '62812x', '', '+', '62 81 @ 2']) assert.equal(devicePhoneNumber(bad), null, bad);
    assert.equal(devicePhoneNumber('1234567'), '1234567');
    assert.equal(devicePhoneNumber('123456789012345'), '123456789012345');
  });

  it('takes JIDs as they are (groups included) and numbers as user JIDs', () => {
    assert.equal(deviceRecipientJid('628123456789'), '628123456789@s.whatsapp.net');
    assert.equal(deviceRecipientJid('628123456789@s.whatsapp.net'), '628123456789@s.whatsapp.net');
    assert.equal(deviceRecipientJid('628123456789@c.us'), '628123456789@s.whatsapp.net');
    assert.equal(deviceRecipientJid('120363041234567890@g.us'), '120363041234567890@g.us');
    assert.equal(deviceRecipientJid('628123456789-1600000000@g.us'), '628123456789-1600000000@g.us');
    assert.equal(deviceRecipientJid('123456789012345@lid'), '123456789012345@lid');
    for (const bad of ['x@g.us', 'someone@example.com', '12@s.whatsapp.net', '12345']) assert.equal(deviceRecipientJid(bad), null, bad);
  });
});

describe('device-token gateway media kinds and errors', () => {
  it('sends a fetched file as the kind its bytes are', () => {
    assert.equal(kindOfMime('image/png'), 'image');
    assert.equal(kindOfMime('image/jpeg'), 'image');
    assert.equal(kindOfMime('video/mp4'), 'video');
    assert.equal(kindOfMime('audio/mpeg'), 'audio');
    assert.equal(kindOfMime('application/ogg'), 'audio');
    assert.equal(kindOfMime('application/pdf'), 'document');
    assert.equal(kindOfMime('image/svg+xml'), 'document');
    assert.equal(kindOfMime('text/plain'), 'document');
  });

  it('writes every error as {status:false, message, code} with the native HTTP status', () => {
    const rendered = renderDevicesError({ status: 404, code: 'SESSION_NOT_FOUND', message: 'No device with this token', details: { x: 1 }, requestId: 'r1' });
    assert.deepEqual(rendered, { body: { status: false, message: 'No device with this token', code: 'SESSION_NOT_FOUND' } });
  });
});
