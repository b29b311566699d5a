import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloudApiError, GraphUnknownFieldError } from './cloud-api.errors';
import { graphPage, pickFields, selectFields } from './graph-fields';

const KNOWN = new Set(['id', 'name', 'currency', 'health_status']);
const url = new URL('http://sb.local/v21.0/2000/phone_numbers?fields=id&access_token=secret');

describe('Graph field selection', () => {
  it('answers the defaults without fields, adds id, keeps the order asked and drops duplicates', () => {
    assert.deepEqual(selectFields(undefined, ['id', 'name'], KNOWN, 'X'), ['id', 'name']);
    assert.deepEqual(selectFields('currency,name,currency', ['id'], KNOWN, 'X'), ['currency', 'name', 'id']);
    assert.deepEqual(selectFields('health_status{can_send_message},id', ['id'], KNOWN, 'X'), ['health_status', 'id']);
  });

  it("refuses a field the node type does not have with Graph's error", () => {
    assert.throws(() => selectFields('name,colour', ['id'], KNOWN, 'WhatsAppBusinessAccount'), (e: unknown) => e instanceof GraphUnknownFieldError && e.field === 'colour');
  });

  it('leaves out fields without a value', () => {
    assert.deepEqual(pickFields(['a', 'b', 'id'], { a: () => 1, b: () => undefined, id: () => '9' }), { a: 1, id: '9' });
  });
});

describe('Graph cursor paging', () => {
  const items = ['a', 'b', 'c', 'd', 'e'];
  const key = (s: string) => s;

  it('pages forward with after and backward with before, with next/previous links only when there is more', () => {
    const first = graphPage(items, key, { limit: '2' }, url);
    assert.deepEqual(first.data, ['a', 'b']);
    assert.ok(first.paging.next);
    assert.equal(first.paging.previous, undefined);
    const next = new URL(first.paging.next!);
    assert.equal(next.searchParams.get('access_token'), null, 'the token never goes into a link');
    assert.equal(next.searchParams.get('fields'), 'id');
    const second = graphPage(items, key, { limit: '2', after: next.searchParams.get('after')! }, url);
    assert.deepEqual(second.data, ['c', 'd']);
    const last = graphPage(items, key, { limit: '2', after: second.paging.cursors.after }, url);
    assert.deepEqual(last.data, ['e']);
    assert.equal(last.paging.next, undefined);
    assert.ok(last.paging.previous);
    const back = graphPage(items, key, { limit: '2', before: second.paging.cursors.before }, url);
    assert.deepEqual(back.data, ['a', 'b']);
    assert.deepEqual(graphPage(items, key, {}, url).data, items);
  });

  it('refuses a bad limit or a cursor it did not issue (code 100)', () => {
    assert.throws(() => graphPage(items, key, { limit: '0' }, url), (e: unknown) => e instanceof CloudApiError && e.metaCode === 100);
    assert.throws(() => graphPage(items, key, { limit: 'x' }, url), (e: unknown) => e instanceof CloudApiError && e.metaCode === 100);
    assert.throws(() => graphPage(items, key, { after: 'bm9wZQ' }, url), (e: unknown) => e instanceof CloudApiError && e.metaCode === 100);
  });
});
