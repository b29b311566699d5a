import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildVcard, escapeVcardText, isVcardText, splitVcards, vcardFormattedName } from './vcard';

const card = (...lines: string[]) => ['BEGIN:VCARD', 'VERSION:3.0', ...lines, 'END:VCARD'].join('\n');

describe('buildVcard', () => {
  it('builds the smallest card: FN and nothing else', () => {
    assert.equal(buildVcard({ formattedName: 'Ann' }), card('FN:Ann'));
  });

  it('writes N in vCard order (last;first;middle;prefix;suffix), empty parts kept', () => {
    assert.equal(buildVcard({ formattedName: 'Dr. John Q. Smith', name: { first: 'John', last: 'Smith', middle: 'Q.', prefix: 'Dr.' } }), card('N:Smith;John;Q.;Dr.;', 'FN:Dr. John Q. Smith'));
    assert.equal(buildVcard({ formattedName: 'Jane', name: {} }), card('N:;;;;', 'FN:Jane'));
  });

  it('writes ORG as company;department and TITLE apart', () => {
    assert.equal(buildVcard({ formattedName: 'A', org: { company: 'Acme', department: 'Sales', title: 'Lead' } }), card('FN:A', 'ORG:Acme;Sales', 'TITLE:Lead'));
    assert.equal(buildVcard({ formattedName: 'A', org: { department: 'Sales' } }), card('FN:A', 'ORG:Sales'));
    assert.equal(buildVcard({ formattedName: 'A', org: { title: 'Lead' } }), card('FN:A', 'TITLE:Lead'));
  });

  it('writes every phone and email, with their types and the WhatsApp id', () => {
    const out = buildVcard({
      formattedName: 'Multi',
      phones: [
        { number: '+1 650-555-1234', waId: '16505551234', types: ['WORK'] },
        { number: '+447700900123', waId: '447700900123', types: ['CELL', 'VOICE'] },
        { number: '+33 1 23 45 67 89' },
      ],
      emails: [{ address: 'a@example.com', type: 'WORK' }, { address: 'b@example.com' }],
    });
    assert.equal(
      out,
      card(
        'FN:Multi',
        'TEL;type=WORK;waid=16505551234:+1 650-555-1234',
        'TEL;type=CELL;type=VOICE;waid=447700900123:+447700900123',
        'TEL:+33 1 23 45 67 89',
        'EMAIL;type=WORK:a@example.com',
        'EMAIL:b@example.com',
      ),
    );
  });

  it('writes addresses, urls and birthday', () => {
    const out = buildVcard({
      formattedName: 'A',
      addresses: [{ type: 'HOME', street: '1 Main St', city: 'Springfield', zip: '12345', country: 'US' }],
      urls: [{ url: 'https://example.com', type: 'WORK' }],
      birthday: '1990-01-31',
    });
    assert.equal(out, card('FN:A', 'ADR;type=HOME:;;1 Main St;Springfield;;12345;US', 'URL;type=WORK:https://example.com', 'BDAY:1990-01-31'));
  });

  it('escapes backslash, semicolon, comma and line breaks in every value', () => {
    const out = buildVcard({ formattedName: 'Jo; Bloggs, Jr\\', name: { last: 'Bloggs;Jr', first: 'Jo' }, org: { company: 'A,B', title: 'line1\r\nline2' } });
    assert.equal(out, card('N:Bloggs\\;Jr;Jo;;;', 'FN:Jo\\; Bloggs\\, Jr\\\\', 'ORG:A\\,B', 'TITLE:line1\\nline2'));
    assert.equal(escapeVcardText('a\nb;c'), 'a\\nb\\;c');
    assert.equal(escapeVcardText(undefined), '');
  });
});

describe('reading vCard text', () => {
  it('recognises complete cards, splits concatenated ones and reads FN', () => {
    const two = `${card('FN:Ann')}\n${card('FN:Bob')}\n`;
    assert.equal(isVcardText(two), true);
    assert.equal(isVcardText('hello'), false);
    assert.equal(isVcardText('BEGIN:VCARD\nFN:x'), false);
    assert.deepEqual(splitVcards(two), [card('FN:Ann'), card('FN:Bob')]);
    assert.equal(vcardFormattedName(two), 'Ann');
    assert.equal(vcardFormattedName(card('N:;;;;')), undefined);
  });

  it('reads back what it builds', () => {
    const built = buildVcard({ formattedName: 'Round Trip', phones: [{ number: '+1', waId: '1' }] });
    assert.equal(isVcardText(built), true);
    assert.deepEqual(splitVcards(built), [built]);
    assert.equal(vcardFormattedName(built), 'Round Trip');
  });
});
