import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NextFunction, Request, Response } from 'express';
import { compose } from './compose';

const req = {} as Request;
const res = {} as Response;

describe('compose', () => {
  it('runs middlewares in order, then continues', () => {
    const seen: string[] = [];
    const mw = (name: string) => (_q: Request, _s: Response, next: NextFunction) => {
      seen.push(name);
      next();
    };
    let done: unknown = 'not called';
    compose(mw('a'), mw('b'), mw('c'))(req, res, (err?: unknown) => (done = err));
    assert.deepEqual(seen, ['a', 'b', 'c']);
    assert.equal(done, undefined);
  });

  it('stops at an error passed on or thrown', () => {
    const boom = new Error('boom');
    let later = false;
    let got: unknown;
    compose((_q, _s, next) => next(boom), () => (later = true))(req, res, (err?: unknown) => (got = err));
    assert.equal(got, boom);
    assert.equal(later, false);
    compose(() => {
      throw boom;
    })(req, res, (err?: unknown) => (got = err));
    assert.equal(got, boom);
  });

  it('passes a rejected async middleware on as an error', async () => {
    const boom = new Error('async boom');
    const got = await new Promise((resolve) =>
      compose(async () => {
        throw boom;
      })(req, res, resolve),
    );
    assert.equal(got, boom);
  });

  it('waits for a middleware that continues later', async () => {
    const order: string[] = [];
    await new Promise<void>((resolve) =>
      compose(
        (_q, _s, next) => setTimeout(() => (order.push('async'), next()), 5),
        (_q, _s, next) => (order.push('sync'), next()),
      )(req, res, () => resolve()),
    );
    assert.deepEqual(order, ['async', 'sync']);
  });
});
