import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kindOfMime, listAsText, mediaKindOf } from './phones-message';

describe('phones manager messages', () => {
  it('chooses the media kind from the MIME type', async () => {
    assert.equal(kindOfMime('image/png'), 'image');
    assert.equal(kindOfMime('Video/MP4; codecs=avc1'), 'video');
    assert.equal(kindOfMime('audio/ogg'), 'audio');
    assert.equal(kindOfMime('application/pdf'), 'document');
    assert.equal(kindOfMime(undefined), 'document');
    assert.equal(await mediaKindOf({ link: 'https://x.example/a/photo.JPG?size=1' }), 'image');
    assert.equal(await mediaKindOf({ link: 'https://x.example/file' }), 'document');
    assert.equal(await mediaKindOf({ link: 'https://x.example/file', declared: 'audio/mpeg' }), 'audio');
    assert.equal(await mediaKindOf({ base64: 'data:video/mp4;base64,AAAA' }), 'video');
    assert.equal(await mediaKindOf({ file: { buffer: Buffer.alloc(1), mimetype: 'image/webp' } }), 'image');
    const gifHeader = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1').toString('base64');
    assert.equal(await mediaKindOf({ base64: gifHeader }), 'image');
  });

  it('sends a list as numbered text', () => {
    assert.equal(listAsText(['Tea', 'Coffee'], 'Pick one'), 'Pick one\n1. Tea\n2. Coffee');
    assert.equal(
      listAsText({ title: 'Menu', text: 'What would you like?', footer: 'Reply with a number', sections: [{ title: 'Drinks', rows: [{ title: 'Tea', description: 'hot' }, { id: 'coffee' }] }] }),
      'Menu\nWhat would you like?\n\nDrinks\n1. Tea — hot\n2. coffee\n\nReply with a number',
    );
    assert.equal(listAsText({ rows: [{ title: 'Only' }] }), '1. Only');
    assert.throws(() => listAsText({ sections: [{ rows: [] }] }), (e: any) => e.code === 'VALIDATION_FAILED');
    assert.throws(() => listAsText('not a list'), (e: any) => e.code === 'VALIDATION_FAILED');
  });
});
