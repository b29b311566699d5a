import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Principal } from './principal';

describe('Principal', () => {
  it('cannot be both bound and admin', () => {
    assert.throws(() => new Principal('token', true, 't1', 's1'), /cannot be an admin/);
    assert.throws(() => new Principal('token', true, 't1', null, 'Sales'), /cannot be an admin/);
    assert.equal(new Principal('token', false, 't1', 's1').isBound, true);
    assert.equal(Principal.admin('jwt').isBound, false);
  });
});
