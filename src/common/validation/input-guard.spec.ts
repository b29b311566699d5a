import assert from 'node:assert/strict';
import { validateHeaderValue } from 'node:http';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { contentDisposition } from '../http/content-disposition';
import { safeDecodeURIComponent } from '../utils/safe-decode';
import { storableString, storableText } from '../utils/storable-text';
import { durationSeconds, MAX_DURATION_SECONDS } from './duration';
import { findInputProblem, MAX_INPUT_DEPTH } from './input-guard';

describe('Input guard and text helpers', () => {
  it('names the first NUL, lone surrogate or over-deep value, and passes everything else', () => {
    assert.deepEqual(findInputProblem({ a: 'x', b: ['ok', 'n\u0000'] }, ''), { field: 'b[1]', message: 'must not contain NUL characters' });
    assert.deepEqual(findInputProblem({ t: 'x\ud800' }, ''), { field: 't', message: 'must be well-formed Unicode (no lone surrogates)' });
    assert.deepEqual(findInputProblem({ ['k\u0000']: 1 }, ''), { field: '', message: 'has a key that must not contain NUL characters' });
    assert.equal(findInputProblem('%00 is text, 😀 is a pair', 'q'), null);
    let deep: unknown = 1;
    for (let i = 0; i < MAX_INPUT_DEPTH; i++) deep = [deep];
    assert.equal(findInputProblem(deep, ''), null, `${MAX_INPUT_DEPTH} levels are fine`);
    assert.match(findInputProblem([deep], '')!.message, /nested more than 32/);
    let hostile: unknown = 1;
    for (let i = 0; i < 200_000; i++) hostile = { a: hostile };
    assert.ok(findInputProblem(hostile, ''), 'iterative: no stack overflow');
  });

  it('finds a problem exactly when a string or key holds a NUL or a lone surrogate (any JSON)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5, stringUnit: fc.constantFrom('a', '\u0000', '\ud800', '\udc00', '😀', 'é') }), (value) => {
        const strings: string[] = [];
        const walk = (v: unknown): void => {
          if (typeof v === 'string') strings.push(v);
          else if (Array.isArray(v)) v.forEach(walk);
          else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (strings.push(k), walk(x));
        };
        walk(value);
        const bad = strings.some((s) => s.includes('\u0000') || storableString(s) !== s);
        assert.equal(findInputProblem(value, '') !== null, bad);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('writes a Content-Disposition Node accepts for any file name, with the exact name in filename*', () => {
    assert.equal(contentDisposition('inline', 'a.pdf'), 'inline; filename="a.pdf"');
    assert.equal(contentDisposition('attachment', '日本 "q".pdf'), `attachment; filename="__ _q_.pdf"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%20%22q%22.pdf`);
    assert.equal(contentDisposition('inline', "it's (1).pdf"), `inline; filename="it's (1).pdf"`);
    assert.equal(contentDisposition('inline', '../../etc/passwd'), 'inline; filename="passwd"');
    assert.equal(contentDisposition('inline', 'C:\\x\\日.txt'), `inline; filename="_.txt"; filename*=UTF-8''%E6%97%A5.txt`);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (name) => {
        const value = contentDisposition('inline', name);
        validateHeaderValue('Content-Disposition', value);
        const star = /filename\*=UTF-8''(.*)$/.exec(value)?.[1];
        if (star) assert.equal(decodeURIComponent(star), storableString(name.replace(/[\u0000-\u001f\u007f]/g, '').replace(/^.*[\\/]/, '').slice(0, 255)));
      }),
      { seed: 42, numRuns: 1000 },
    );
  });

  it('decodes %-escapes without throwing, and refuses what decodes to a NUL', () => {
    assert.equal(safeDecodeURIComponent('%E6%97%A5'), '日');
    for (const bad of ['%zz', '%', '%E6%97', '%ED%A0%80', '%00', 'a%00b']) assert.equal(safeDecodeURIComponent(bad), null, bad);
  });

  it('bounds durations', () => {
    assert.equal(durationSeconds('90m'), 5400);
    assert.equal(durationSeconds('3650d'), MAX_DURATION_SECONDS);
    assert.equal(durationSeconds('0'), null);
    assert.equal(durationSeconds('1y'), null);
    assert.ok(durationSeconds('9999999999d')! > MAX_DURATION_SECONDS);
  });

  it('makes engine data storable and keeps what needs no change as the same object', () => {
    const clean = { a: ['x', { b: 'y' }], n: 1, buf: Buffer.from('\u0000') };
    assert.equal(storableText(clean), clean);
    assert.deepEqual(storableText({ a: ['x\u0000', { b: '\udc00y' }], ['k\u0000']: 1 }), { a: ['x\ufffd', { b: '\ufffdy' }], ['k\ufffd']: 1 });
  });
});
