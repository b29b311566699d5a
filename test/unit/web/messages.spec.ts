import assert from 'node:assert/strict';
import { describe, it } from '../../support/node-test';
import { canCancel, canResend, dayBoundary, messagePreview, messagesPath, messageTone, nextStatus, previewKind } from '../../../web/src/lib/messages';

describe('dashboard: messages', () => {
  it('builds the history address from the filters, leaving empty ones out', () => {
    assert.equal(messagesPath({}, 25), '/api/messages?limit=25');
    assert.equal(
      messagesPath({ sessionId: 'qr_1', direction: 'outbound', status: 'FAILED', chat: '919876543210' }, 50, 'abc'),
      '/api/messages?sessionId=qr_1&direction=outbound&status=FAILED&chat=919876543210&limit=50&cursor=abc',
    );
    const path = messagesPath({ fromDate: '2026-12-01', toDate: '2026-12-01' }, 10);
    const q = new URL(path, 'http://x').searchParams;
    assert.equal(new Date(q.get('to')!).getTime() - new Date(q.get('from')!).getTime(), 24 * 3600 * 1000);
    assert.equal(new Date(q.get('from')!).getDate(), 1);
    assert.equal(dayBoundary('not a date'), undefined);
  });

  it('offers resend and cancel only where the API accepts them', () => {
    assert.ok(canResend({ direction: 'outbound', status: 'FAILED' }));
    assert.ok(canResend({ direction: 'outbound', status: 'CANCELED' }));
    assert.ok(!canResend({ direction: 'outbound', status: 'SENT' }));
    assert.ok(!canResend({ direction: 'inbound', status: 'FAILED' }));
    assert.ok(canCancel({ direction: 'outbound', status: 'QUEUED' }));
    assert.ok(!canCancel({ direction: 'outbound', status: 'SENDING' }));
  });

  it('never moves a status backwards along the happy path, but applies failures and resends', () => {
    assert.equal(nextStatus('QUEUED', 'SENT'), 'SENT');
    assert.equal(nextStatus('DELIVERED', 'SENT'), 'DELIVERED');
    assert.equal(nextStatus('SENT', 'FAILED'), 'FAILED');
    assert.equal(nextStatus('FAILED', 'QUEUED'), 'QUEUED');
    assert.equal(messageTone('READ'), 'good');
    assert.equal(messageTone('FAILED'), 'bad');
    assert.equal(messageTone('QUEUED'), 'busy');
  });

  it('previews content and media by kind', () => {
    assert.equal(messagePreview({ type: 'text', content: { text: 'Hi' } }), 'Hi');
    assert.equal(messagePreview({ type: 'location', content: { location: { latitude: 1.5, longitude: 2, name: 'Office' } } }), 'Office · 1.5, 2');
    assert.equal(messagePreview({ type: 'contact', content: { contact: { name: 'Asha', phone: '919876543210' } } }), 'Asha · 919876543210');
    assert.equal(previewKind({ type: 'voice', media: { mimetype: 'audio/ogg; codecs=opus' } }), 'audio');
    assert.equal(previewKind({ type: 'image', media: { mimetype: 'image/jpeg' } }), 'image');
    assert.equal(previewKind({ type: 'document', media: { mimetype: 'application/pdf' } }), null);
    assert.equal(previewKind({ type: 'text', media: null }), null);
  });
});
