/**
 * Unknown stanzas fail loudly: recorded with tag + xmlns + first child, iqs answered 501.
 */
import assert from 'node:assert/strict';
import { test } from '../support/node-test';
import type { BinaryNode } from './binary-node';
import { ErrorLog } from './error-log';
import { startSimulator } from './fixtures';
import { StanzaRouter, type RouterContext } from './stanza-router';

function harness() {
  const errors = new ErrorLog(false);
  const router = new StanzaRouter<RouterContext>(errors);
  const replies: BinaryNode[] = [];
  const ctx: RouterContext = { reply: (n) => void replies.push(n), deviceLabel: '15550000001:1' };
  return { errors, router, replies, ctx };
}

test('an unknown iq is recorded by tag, xmlns and first child, and answered with 501', async () => {
  const { errors, router, replies, ctx } = harness();
  await router.dispatch({ tag: 'iq', attrs: { id: 'q1', xmlns: 'x:frob', type: 'get' }, content: [{ tag: 'frobnicate', attrs: {} }] }, ctx);
  const [err] = errors.list();
  assert.equal(err.kind, 'unknown-stanza');
  assert.equal(err.stanza, 'iq xmlns=x:frob type=get <frobnicate>');
  assert.equal(err.device, '15550000001:1');
  assert.equal(replies.length, 1);
  assert.equal(replies[0].attrs.type, 'error');
  assert.equal(replies[0].attrs.id, 'q1');
  assert.equal((replies[0].content as BinaryNode[])[0].attrs.code, '501');
});

test('an unknown non-iq stanza is recorded and not answered', async () => {
  const { errors, router, replies, ctx } = harness();
  await router.dispatch({ tag: 'spaceship', attrs: {} }, ctx);
  assert.equal(errors.list()[0].stanza, 'spaceship (no child)');
  assert.equal(replies.length, 0);
});

test('handlers match on xmlns and child, with wildcards; a throwing handler is recorded and answered 500', async () => {
  const { errors, router, replies, ctx } = harness();
  const seen: string[] = [];
  router.on({ tag: 'iq', xmlns: 'encrypt', child: 'count' }, () => void seen.push('count'));
  router.on({ tag: 'iq', xmlns: 'w:stats', child: '*' }, () => void seen.push('stats'));
  router.on({ tag: 'iq', xmlns: 'boom', child: '*' }, () => {
    throw new Error('kaput');
  });
  await router.dispatch({ tag: 'iq', attrs: { id: '1', xmlns: 'encrypt', type: 'get' }, content: [{ tag: 'count', attrs: {} }] }, ctx);
  await router.dispatch({ tag: 'iq', attrs: { id: '2', xmlns: 'w:stats' }, content: [{ tag: 'add', attrs: {} }] }, ctx);
  await router.dispatch({ tag: 'iq', attrs: { id: '3', xmlns: 'encrypt', type: 'get' }, content: [{ tag: 'other', attrs: {} }] }, ctx);
  await router.dispatch({ tag: 'iq', attrs: { id: '4', xmlns: 'boom', type: 'set' } }, ctx);
  assert.deepEqual(seen, ['count', 'stats']);
  assert.deepEqual(
    errors.list().map((e) => [e.kind, e.stanza]),
    [
      ['unknown-stanza', 'iq xmlns=encrypt type=get <other>'],
      ['handler-failed', 'iq xmlns=boom type=set (no child)'],
    ],
  );
  assert.deepEqual(
    replies.map((r) => [r.attrs.id, (r.content as BinaryNode[])[0].attrs.code]),
    [
      ['3', '501'],
      ['4', '500'],
    ],
  );
});

test('end to end: a made-up iq from real Baileys fails fast and shows up in the error list', async () => {
  const f = await startSimulator();
  try {
    const { client } = await f.linkWithQr();
    const started = Date.now();
    await assert.rejects(
      client.sock.query({ tag: 'iq', attrs: { to: 's.whatsapp.net', type: 'get', xmlns: 'made:up' }, content: [{ tag: 'gizmo', attrs: {} }] }),
      (err: { data?: number }) => err.data === 501,
    );
    assert.ok(Date.now() - started < 5000, 'fails fast, not after the 60 s query timeout');
    assert.deepEqual(
      f.sim.errorList().map((e) => e.stanza),
      ['iq xmlns=made:up type=get <gizmo>'],
    );
    assert.throws(() => f.sim.assertNoErrors(), /made:up/);
    f.sim.clearErrors();
  } finally {
    await f.close();
  }
});
