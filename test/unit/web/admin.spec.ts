import assert from 'node:assert/strict';
import { describe, it } from '../../support/node-test';
import { WEBHOOK_EVENT_TYPES } from '../../../src/webhooks/webhook-events';
import { checkPasswordForm, checkTokenForm, checkWebhookForm, eventsLabel, formatLabel, tokenBinding, WEBHOOK_EVENTS, webhookHealth, when } from '../../../web/src/lib/admin';

describe('admin page helpers', () => {
  it('offers exactly the event names the API accepts', () => {
    assert.deepEqual([...WEBHOOK_EVENTS], [...WEBHOOK_EVENT_TYPES]);
  });

  it('checks the token form like the API does', () => {
    const ok = { name: 'crm', binding: 'none' as const, sessionId: '', workspace: '', expiresIn: '' };
    assert.equal(checkTokenForm(ok), null);
    assert.equal(checkTokenForm({ ...ok, expiresIn: '30d' }), null);
    assert.equal(checkTokenForm({ ...ok, expiresIn: '3600' }), null);
    assert.match(checkTokenForm({ ...ok, expiresIn: '30 days' })!, /s, m, h or d/);
    assert.match(checkTokenForm({ ...ok, name: '  ' })!, /name/);
    assert.match(checkTokenForm({ ...ok, binding: 'session' })!, /session/);
    assert.match(checkTokenForm({ ...ok, binding: 'workspace' })!, /workspace/);
    assert.equal(checkTokenForm({ ...ok, binding: 'workspace', workspace: 'support' }), null);
  });

  it('checks the password form with the API minimum length', () => {
    assert.match(checkPasswordForm({ newPassword: 'short', confirm: 'short' })!, /at least 8/);
    assert.match(checkPasswordForm({ newPassword: 'long enough', confirm: 'long enougH' })!, /differ/);
    assert.equal(checkPasswordForm({ newPassword: '12345678', confirm: '12345678' }), null);
  });

  it('checks the webhook form', () => {
    assert.equal(checkWebhookForm({ url: 'https://crm.example.com/wa', events: ['*'] }), null);
    assert.match(checkWebhookForm({ url: 'crm.example.com', events: ['*'] })!, /https:\/\//);
    assert.match(checkWebhookForm({ url: 'ftp://crm.example.com', events: ['*'] })!, /https:\/\//);
    assert.match(checkWebhookForm({ url: 'http://127.0.0.1:9/x', events: [] })!, /event/);
  });

  it('labels bindings, events, formats, dates and health as text', () => {
    assert.equal(tokenBinding({ sessionId: 's1', workspace: null }), 'Session s1');
    assert.equal(tokenBinding({ sessionId: null, workspace: 'w' }), 'Workspace w');
    assert.equal(tokenBinding({ sessionId: null, workspace: null }), 'None (every session)');
    assert.equal(eventsLabel(['*']), 'All events');
    assert.equal(eventsLabel(['message.received', 'message.status']), 'message.received, message.status');
    assert.equal(formatLabel('cloud-api'), 'Cloud API');
    assert.equal(formatLabel('native'), 'Native');
    assert.equal(when(null), 'never');
    assert.equal(when('not a date', 'not yet'), 'not yet');
    assert.match(when('2026-12-04T10:00:00Z'), /2026/);
    const w = { id: '1', url: 'u', events: ['*'], sessionId: null, format: 'native', active: true, createdAt: '' };
    assert.equal(webhookHealth({ ...w, active: false }), 'Paused');
    assert.equal(webhookHealth({ ...w, health: { pending: 0, failed: 0, consecutiveFailures: 0, lastSuccessAt: null } }), 'No delivery yet');
    assert.match(webhookHealth({ ...w, health: { pending: 2, failed: 1, consecutiveFailures: 3, lastError: 'HTTP 503' } }), /3 failures in a row \(HTTP 503\) · 2 pending · 1 failed/);
    assert.match(webhookHealth({ ...w, health: { pending: 0, failed: 0, consecutiveFailures: 0, lastSuccessAt: '2026-12-04T10:00:00Z' } }), /^Healthy, last delivered/);
  });
});
