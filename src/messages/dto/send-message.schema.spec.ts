import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import fc from 'fast-check';
import { AppError } from '../../common/errors/app-error';
import { schemaOf } from '../../common/validation/json-schema';
import { createValidationPipe, VALIDATION_OPTIONS } from '../../common/validation/validation.pipe';
import { MESSAGE_TYPES } from '../message-content';
import { ContactCardDto, SendMessageDto } from './send-message.dto';
import { SEND_MESSAGE_DTO_ONLY, SEND_MESSAGE_SCHEMA } from './send-message.schema';

const BODY: ArgumentMetadata = { type: 'body', metatype: SendMessageDto, data: '' };
/** The plain pipe, without the schema: the DTO's own verdict. */
const dtoPipe = new ValidationPipe(VALIDATION_OPTIONS);
const appPipe = createValidationPipe();

function validatedProperties(cls: Function): string[] {
  const names = getMetadataStorage()
    .getTargetValidationMetadatas(cls, '', false, false, undefined)
    .map((m) => m.propertyName);
  return [...new Set(names)].sort();
}

async function dtoVerdict(body: unknown): Promise<'valid' | string> {
  try {
    await dtoPipe.transform(body, BODY);
    return 'valid';
  } catch (err) {
    return err instanceof AppError ? err.message : String(err);
  }
}

/** Strings around the length limits, with characters that lengths count differently. */
const edgeString = fc.oneof(
  fc.constantFrom('', ' ', 'a', 'text', '919846303025', '😀', 'é\u0301', '👍\uFE0F', '6f1c1d4e-1b7e-4c63-9a51-8a8a0e1e2f3a', '00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', '6f1c1d4e-1b7e-9c63-9a51-8a8a0e1e2f3a'),
  fc.constantFrom(32, 63, 64, 65, 128, 129, 199, 200, 201, 256, 257, 4096, 4097).chain((n) =>
    fc.constantFrom('x', '😀', '\uFE0F', 'a\uFE0F').map((unit) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n)),
  ),
  fc.string({ maxLength: 20 }),
);
const anyValue = fc.oneof(
  edgeString,
  fc.constantFrom(...MESSAGE_TYPES, 'TEXT', 'sms'),
  fc.constantFrom(0, 0.25, 0.2499, 1, 4, 4.0001, 1e-7, -1, 1e21),
  fc.double(),
  fc.boolean(),
  fc.array(edgeString, { maxLength: 3 }),
  fc.constantFrom([], Array.from({ length: 257 }, () => 'a'), Array.from({ length: 256 }, () => 'a')),
  fc.record({ name: edgeString, phone: edgeString }, { requiredKeys: [] }),
  fc.record({ name: edgeString, phone: edgeString, organization: edgeString, email: edgeString, extra: edgeString }, { requiredKeys: ['name', 'phone'] }),
  fc.record({ latitude: fc.double({ min: -91, max: 91 }), longitude: fc.double({ min: -181, max: 181 }) }),
);
const keys = [...Object.keys(SEND_MESSAGE_SCHEMA.properties), 'location', 'file', 'other'];
const body = fc.dictionary(fc.constantFrom(...keys), anyValue, { maxKeys: 6 }).chain((extra) =>
  fc.record({ sessionId: edgeString, to: edgeString, type: fc.constantFrom(...MESSAGE_TYPES) }).map((base) => ({ ...base, ...extra })),
);

describe('Send message schema (the enqueue path) against SendMessageDto', () => {
  it('names the same properties as the DTO validates, apart from those left to the DTO on purpose', () => {
    const schema = Object.keys(SEND_MESSAGE_SCHEMA.properties);
    assert.deepEqual([...schema, ...SEND_MESSAGE_DTO_ONLY].sort(), validatedProperties(SendMessageDto));
    assert.deepEqual(Object.keys(SEND_MESSAGE_SCHEMA.properties.contact.properties).sort(), validatedProperties(ContactCardDto));
    assert.ok(schemaOf(SendMessageDto), 'the DTO carries the compiled schema');
  });

  it('accepts nothing the DTO refuses, and accepts the common sends', async () => {
    const accepts = schemaOf(SendMessageDto)!;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        if (!accepts(b)) return;
        accepted++;
        assert.equal(await dtoVerdict(b), 'valid', `schema accepted ${JSON.stringify(b)}`);
      }),
      { numRuns: 3000, seed: 14 },
    );
    assert.ok(accepted > 300, `the generator reaches valid bodies (${accepted})`);
    for (const ok of [
      { sessionId: 's', to: '919846303025', type: 'text', text: 'Hello' },
      { sessionId: 's', to: '919846303025', type: 'image', url: 'https://example.com/a.jpg', caption: 'Hi', mentions: ['919846303025'] },
      { sessionId: 's', to: '919846303025', type: 'contact', contact: { name: 'Jo', phone: '+44 7700 900123' } },
      { sessionId: 's', to: '919846303025', type: 'voice', text: 'Shipped', voice: 'coral', speed: 1.25 },
    ]) {
      assert.ok(accepts(ok), JSON.stringify(ok));
    }
  });

  it('gives the same DTO the plain pipe gives, and the plain pipe\'s errors for the rest', async () => {
    const b = { sessionId: 's', to: '919846303025', type: 'contact', text: '', contact: { name: 'Jo', phone: '1' } };
    const fast = await appPipe.transform(b, BODY);
    const plain = await dtoPipe.transform(b, BODY);
    assert.ok(fast instanceof SendMessageDto);
    assert.deepEqual(JSON.parse(JSON.stringify(fast)), JSON.parse(JSON.stringify(plain)));
    // A multipart form: speed and mentions arrive as text and take the DTO's transforms.
    const form = Object.assign(Object.create(null), { sessionId: 's', to: '1', type: 'voice', text: 'hi', speed: '1.5', mentions: 'a, b' });
    const transformed = (await appPipe.transform(form, BODY)) as SendMessageDto;
    assert.equal(transformed.speed, 1.5);
    assert.deepEqual(transformed.mentions, ['a', 'b']);
    for (const bad of [
      { sessionId: '', to: '1', type: 'text' },
      { sessionId: 's', to: '1', type: 'fax' },
      { sessionId: 's', to: '1', type: 'text', file: 'x' },
      { sessionId: 's', to: '1', type: 'location', location: { latitude: 91, longitude: 0 } },
    ]) {
      const parsed = JSON.parse(JSON.stringify(bad)) as unknown;
      const expected = await dtoVerdict(parsed);
      assert.notEqual(expected, 'valid', JSON.stringify(bad));
      await assert.rejects(async () => appPipe.transform(parsed, BODY), (err: unknown) => err instanceof AppError && err.message === expected);
    }
  });
});
