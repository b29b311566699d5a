import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitText } from './text-chunker';

describe('splitText', () => {
  it('keeps text that fits as one trimmed chunk and drops blank text', () => {
    assert.deepEqual(splitText('  Hello there.  ', 100), ['Hello there.']);
    assert.deepEqual(splitText(' \n\t ', 100), []);
  });

  it('packs whole sentences greedily up to the limit', () => {
    const text = 'One two three. Four five six! Seven eight nine? Ten eleven twelve.';
    const chunks = splitText(text, 32);
    assert.deepEqual(chunks, ['One two three. Four five six!', 'Seven eight nine?', 'Ten eleven twelve.']);
    assert.equal(chunks.join(' '), text);
  });

  it('does not split inside abbreviations or numbers', () => {
    const chunks = splitText('Dr. Smith paid 3.14 dollars today. Then he left for the U.S. on Monday.', 40);
    assert.deepEqual(chunks, ['Dr. Smith paid 3.14 dollars today.', 'Then he left for the U.S. on Monday.']);
  });

  it('splits at CJK sentence marks', () => {
    const chunks = splitText('今日は晴れです。明日は雨です。明後日は雪です。', 16);
    assert.deepEqual(chunks, ['今日は晴れです。明日は雨です。', '明後日は雪です。']);
  });

  it('cuts an overlong sentence after a clause mark, then at spaces', () => {
    const sentence = 'This sentence is long, it has a comma in the middle and goes on and on without any end in sight';
    const chunks = splitText(sentence, 40);
    assert.equal(chunks[0], 'This sentence is long,');
    for (const c of chunks) assert.ok(c.length <= 40, c);
    assert.equal(chunks.join(' '), sentence);
  });

  it('cuts text without spaces anywhere but inside a surrogate pair', () => {
    const text = '😀'.repeat(10);
    const chunks = splitText(text, 5);
    for (const c of chunks) {
      assert.ok(c.length <= 5);
      assert.ok(!/[\ud800-\udbff]$/.test(c), 'no dangling high surrogate');
    }
    assert.equal(chunks.join(''), text);
  });

  it('keeps every chunk within the OpenAI limit for a long text', () => {
    const text = Array.from({ length: 400 }, (_, i) => `Sentence number ${i} talks about item ${i * 7}.`).join(' ');
    const chunks = splitText(text, 4096);
    assert.ok(chunks.length >= 4);
    for (const c of chunks) assert.ok(c.length <= 4096 && /\.$/.test(c));
    assert.equal(chunks.join(' '), text);
  });
});
