import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Principal } from './principal';
import { productApiOfPath } from './product-api';

describe('product APIs', () => {
  it('tells the product API from the path, and only for the four products', () => {
    assert.equal(productApiOfPath('/compat/gateway/api/send'), 'gateway');
    assert.equal(productApiOfPath('/compat/phones?x=1'), 'phones');
    assert.equal(productApiOfPath('/compat/connections'), 'connections');
    assert.equal(productApiOfPath('/compat/devicesx/api'), null);
    assert.equal(productApiOfPath('/compat/other/api'), null);
    assert.equal(productApiOfPath('/api/compat/gateway'), null);
    assert.equal(productApiOfPath('/'), null);
  });

  it('a principal for a product API is never an admin', () => {
    assert.throws(() => new Principal('token', true, 't1', null, null, 'gateway'), /cannot be an admin/);
    const p = new Principal('token', false, 't1', null, null, 'devices');
    assert.equal(p.api, 'devices');
    assert.equal(p.isBound, false);
  });
});
