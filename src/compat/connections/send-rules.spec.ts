import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mediaKindOf, mimeFromName, normalizeMobileNumber } from './send-rules';

describe('connections API send rules', () => {
  it('prefixes +91 to 10-digit numbers and keeps international ones', () => {
    assert.equal(normalizeMobileNumber('9876543210'), '+919876543210');
    assert.equal(normalizeMobileNumber(' 98765 43210 '), '+919876543210');
    assert.equal(normalizeMobileNumber('(987) 654-3210'), '+919876543210');
    assert.equal(normalizeMobileNumber('+919999999999'), '+919999999999');
    assert.equal(normalizeMobileNumber('+44 7700 900123'), '+447700900123');
    assert.equal(normalizeMobileNumber('+1 555 010 9999'), '+15550109999');
  });

  it('takes 11–15 bare digits as country code + number, and refuses the rest', () => {
    assert.equal(normalizeMobileNumber('919876543210'), '+919876543210');
    assert.equal(normalizeMobileNumber('447700900123'), '+447700900123');
    for (const bad of ['09876543210', '12345', '+12', '+1234567890123456', 'abc', '', '98765abc10', '++919876543210', '1234567890123456']) {
      assert.equal(normalizeMobileNumber(bad), null, bad);
    }
  });

  it('chooses the message kind from the MIME type', () => {
    assert.equal(mediaKindOf('image/png'), 'image');
    assert.equal(mediaKindOf('IMAGE/JPEG'), 'image');
    assert.equal(mediaKindOf('video/mp4'), 'video');
    assert.equal(mediaKindOf('audio/mpeg'), 'audio');
    assert.equal(mediaKindOf('application/pdf'), 'document');
    assert.equal(mediaKindOf('text/csv'), 'document');
    assert.equal(mediaKindOf(undefined), 'document');
  });

  it('guesses a MIME type from a file name or URL', () => {
    assert.equal(mimeFromName('image.png'), 'image/png');
    assert.equal(mimeFromName('https://example.com/a/B.JPG?size=2#x'), 'image/jpeg');
    assert.equal(mimeFromName('clip.mp4'), 'video/mp4');
    assert.equal(mimeFromName('tone.mp3'), 'audio/mpeg');
    assert.equal(mimeFromName('report.pdf'), 'application/pdf');
    assert.equal(mimeFromName('notes'), null);
    assert.equal(mimeFromName(null), null);
  });
});
