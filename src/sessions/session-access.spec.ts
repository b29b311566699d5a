import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Principal } from '../auth/principal';
import { FakeSessionLookup, SAMPLE_SESSIONS, type FakeSessionRow } from '../../test/fakes/fake-session-lookup';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { SessionAccess } from './session-access';
import { sessionRefKeys } from './session-resolver';

const { sales, support, loose } = SAMPLE_SESSIONS;
const rows = Object.values(SAMPLE_SESSIONS);
const lookup = (list: FakeSessionRow[]) => new FakeSessionLookup(list);

const admin = Principal.admin('api-key');
const boundToSales = new Principal('token', false, 't1', sales.id);
const salesWorkspace = new Principal('token', false, 't2', null, 'Sales');

async function codeOf(work: Promise<unknown>): Promise<string> {
  const err = await work.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
  return err.code;
}

describe('SessionAccess.authorize', () => {
  it('lets an admin act on any session, named by id, mobile number in any format, or mobid', async () => {
    const access = new SessionAccess(lookup(rows));
    assert.equal((await access.authorize(admin, 'qr_2_support')).id, support.id);
    assert.equal((await access.authorize(admin, '+91 98463 03025')).id, sales.id);
    assert.equal((await access.authorize(admin, '9846303025')).id, sales.id, 'a national number with the default country');
    assert.equal((await access.authorize(admin, '987654321098765')).id, support.id, 'the LID user (mobid)');
    assert.equal((await access.authorize(admin, '  qr_3_loose ')).id, loose.id);
  });

  it('answers SESSION_NOT_FOUND for a ref that names no session, whoever asks', async () => {
    const access = new SessionAccess(lookup(rows));
    assert.equal(await codeOf(access.authorize(admin, 'qr_0_missing')), ErrorCode.SESSION_NOT_FOUND);
    assert.equal(await codeOf(access.authorize(boundToSales, '10000000000')), ErrorCode.SESSION_NOT_FOUND);
  });

  it('confines a session-bound token to its session, however the session is named', async () => {
    const access = new SessionAccess(lookup(rows));
    assert.equal((await access.authorize(boundToSales, sales.id)).id, sales.id);
    assert.equal((await access.authorize(boundToSales, '+919846303025')).id, sales.id);
    assert.equal((await access.authorize(boundToSales, sales.mobid)).id, sales.id);
    assert.equal(await codeOf(access.authorize(boundToSales, support.id)), ErrorCode.FORBIDDEN);
    assert.equal(await codeOf(access.authorize(boundToSales, '+1 555 000 1111')), ErrorCode.FORBIDDEN);
    assert.equal(await codeOf(access.authorize(boundToSales, support.mobid)), ErrorCode.FORBIDDEN);
  });

  it('confines a workspace-bound token to the sessions labelled with its workspace', async () => {
    const access = new SessionAccess(lookup(rows));
    assert.equal((await access.authorize(salesWorkspace, '919846303025')).id, sales.id);
    assert.equal(await codeOf(access.authorize(salesWorkspace, support.id)), ErrorCode.FORBIDDEN);
    assert.equal(await codeOf(access.authorize(salesWorkspace, loose.id)), ErrorCode.FORBIDDEN, 'an unlabelled session is outside every workspace');
  });
});

describe('SessionAccess.visibleSessionIds', () => {
  it('is null (every session) for an admin, and the named session when a ref is given', async () => {
    const access = new SessionAccess(lookup(rows));
    assert.equal(await access.visibleSessionIds(admin), null);
    assert.deepEqual(await access.visibleSessionIds(admin, '+1 555 000 1111'), [support.id]);
  });

  it("is the bound session for a session-bound token, without a lookup, and refuses another session's ref", async () => {
    const fake = lookup(rows);
    const access = new SessionAccess(fake);
    assert.deepEqual(await access.visibleSessionIds(boundToSales), [sales.id]);
    assert.deepEqual(fake.calls, []);
    assert.equal(await codeOf(access.visibleSessionIds(boundToSales, support.id)), ErrorCode.FORBIDDEN);
  });

  it("is the workspace's sessions for a workspace-bound token (none for an empty workspace)", async () => {
    const access = new SessionAccess(lookup(rows));
    assert.deepEqual(await access.visibleSessionIds(salesWorkspace), [sales.id]);
    assert.deepEqual(await access.visibleSessionIds(new Principal('token', false, 't3', null, 'Empty')), []);
    assert.equal(await codeOf(access.visibleSessionIds(salesWorkspace, loose.id)), ErrorCode.FORBIDDEN);
  });
});

describe('sessionRefKeys', () => {
  it('matches an id as given (trimmed), with no number keys', () => {
    assert.deepEqual(sessionRefKeys(' qr_1_sales ', 'IN'), { id: 'qr_1_sales', digits: null, mobiles: [] });
  });

  it('matches a number-like ref by its digits (mobid) and by its mobile number as given and normalized', () => {
    assert.deepEqual(sessionRefKeys('+91 98463-03025', 'IN'), { id: '+91 98463-03025', digits: '919846303025', mobiles: ['919846303025'] });
    assert.deepEqual(sessionRefKeys('9846303025', 'IN'), { id: '9846303025', digits: '9846303025', mobiles: ['9846303025', '919846303025'] });
    assert.deepEqual(sessionRefKeys('123456789012345'), { id: '123456789012345', digits: '123456789012345', mobiles: ['123456789012345'] });
  });

  it('is null for a blank ref', () => {
    assert.equal(sessionRefKeys('   '), null);
    assert.equal(sessionRefKeys(''), null);
  });
});
