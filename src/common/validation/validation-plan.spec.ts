import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance, Type } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  registerDecorator,
  validate,
  ValidateIf,
  ValidateNested,
  type ValidatorOptions,
} from 'class-validator';
import { CreateTokenDto } from '../../auth/dto/auth.dto';
import { ListMessagesQueryDto } from '../../messages/dto/message.dto';
import { SendMessageDto } from '../../messages/dto/send-message.dto';
import { ValidationPlan } from './validation-plan';

const OPTIONS: ValidatorOptions = { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false } };

/** Deterministic PRNG so a failure names a reproducible case. */
function rng(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

const VALUES: unknown[] = [
  undefined, null, '', ' ', 'abc', 'text', 'image', 'voice', 'api', 'admin', 'inbound', 'QUEUED', '30d', '0', '12',
  'x'.repeat(201), 'y'.repeat(70_000), '2026-11-01T00:00:00Z', '6f1c1d4e-1b7e-4c63-9a51-8a8a0e1e2f3a', '919846303025',
  0, 1, 7, -3, 1.5, 600, true, false, [], ['a'], ['a', 1], ['b'.repeat(65)], {}, { latitude: 12.9, longitude: 77.5 },
  { name: 'Jo', phone: '+44 7700 900123' }, { latitude: 'north' },
];

/** Each key is left out, given a plausible value or given any value from VALUES. */
async function compare(cls: new () => object, good: Record<string, unknown[]>, cases: number, seed: number, nested: string[] = []) {
  const random = rng(seed);
  const pick = (list: unknown[]) => list[Math.floor(random() * list.length)];
  let acceptedByPlan = 0;
  let valid = 0;
  for (let i = 0; i < cases; i++) {
    const plain: Record<string, unknown> = {};
    for (const [key, values] of Object.entries(good)) {
      const roll = random();
      if (roll < 0.6) plain[key] = pick(values);
      else if (roll < 0.7) plain[key] = pick(VALUES);
    }
    if (random() < 0.05) plain.unexpected = 'field';
    const object = plainToInstance(cls, plain) as object;
    const errors = await validate(object, OPTIONS);
    const accepted = ValidationPlan.accepts(object, OPTIONS);
    if (accepted) assert.equal(errors.length, 0, `plan accepted what class-validator rejects: ${JSON.stringify(plain).slice(0, 300)}`);
    // Nested objects are class-validator's to judge; everything else valid takes the fast path.
    const judgeable = !nested.some((key) => plain[key] !== undefined);
    if (errors.length === 0 && judgeable) {
      valid++;
      assert.ok(accepted, `valid body not recognised: ${JSON.stringify(plain).slice(0, 300)}`);
    }
    if (accepted) acceptedByPlan++;
  }
  return { valid, acceptedByPlan };
}

describe('ValidationPlan', () => {
  it('never accepts what class-validator rejects, and recognises valid DTOs (random bodies)', async () => {
    const send = await compare(
      SendMessageDto,
      {
        sessionId: ['qr_1', '919846303025'],
        to: ['919846303025', '1203@g.us'],
        type: ['text', 'image', 'voice'],
        text: ['Hello'],
        url: ['https://example.com/a.jpg'],
        mediaId: ['6f1c1d4e-1b7e-4c63-9a51-8a8a0e1e2f3a'],
        caption: ['A caption'],
        mentions: [['919846303025'], []],
        idempotencyKey: ['k-1'],
        location: [{ latitude: 12.9, longitude: 77.5 }],
        speed: [1, 2.5],
        voice: ['coral'],
      },
      4000,
      1,
      ['location'],
    );
    const list = await compare(
      ListMessagesQueryDto,
      { sessionId: ['s'], chat: ['1'], direction: ['inbound'], status: ['QUEUED', 'READ'], from: ['2026-11-01T00:00:00Z'], cursor: ['abc'], page: [1, 3], limit: [50] },
      3000,
      2,
    );
    const token = await compare(CreateTokenDto, { name: ['crm'], sessionId: ['s'], workspace: ['w'], expiresIn: ['30d', 3600], role: ['api', 'admin'] }, 3000, 3);
    for (const r of [send, list, token]) assert.ok(r.valid > 100, `too few valid cases to judge: ${JSON.stringify(r)}`);
  });

  it('accepts a plain valid send body and leaves unknown keys, nested objects and conditions to class-validator', () => {
    const ok = plainToInstance(SendMessageDto, { sessionId: 's', to: '919846303025', type: 'text', text: 'Hi', mentions: ['91'] });
    assert.equal(ValidationPlan.accepts(ok, OPTIONS), true);
    const unknown = plainToInstance(SendMessageDto, { sessionId: 's', to: '1', type: 'text', extra: 1 });
    assert.equal(ValidationPlan.accepts(unknown, OPTIONS), false);
    assert.equal(ValidationPlan.accepts(unknown, {}), true, 'without whitelist, unknown keys are not checked (as class-validator)');
    const nested = plainToInstance(SendMessageDto, { sessionId: 's', to: '1', type: 'location', location: { latitude: 1, longitude: 2 } });
    assert.equal(ValidationPlan.accepts(nested, OPTIONS), false);
    const badEach = plainToInstance(SendMessageDto, { sessionId: 's', to: '1', type: 'text', mentions: ['x'.repeat(65)] });
    assert.equal(ValidationPlan.accepts(badEach, OPTIONS), false);
    assert.equal(ValidationPlan.accepts(ok, { ...OPTIONS, groups: ['a'] }), false, 'groups are not modelled');
  });

  it('follows ValidateIf, per-decorator conditions and refuses async constraints', async () => {
    class Child {
      @IsInt() n: number;
    }
    class Parent {
      @IsString() kind: string;
      @ValidateIf((o: Parent) => o.kind === 'num') @IsInt() value?: unknown;
      @IsOptional() @ValidateNested() @Type(() => Child) child?: Child;
      @IsOptional() @IsString() @MaxLength(3, { each: true }) tags?: string[];
    }
    class WithAsync {
      name: string;
    }
    registerDecorator({
      target: WithAsync,
      propertyName: 'name',
      async: true,
      validator: { validate: async () => true },
    });
    const check = async (cls: new () => object, plain: object) => {
      const object = plainToInstance(cls, plain);
      return { plan: ValidationPlan.accepts(object, OPTIONS), cv: (await validate(object, OPTIONS)).length === 0 };
    };
    assert.deepEqual(await check(Parent, { kind: 'str', value: 'not checked' }), { plan: true, cv: true });
    assert.deepEqual(await check(Parent, { kind: 'num', value: 'x' }), { plan: false, cv: false });
    assert.deepEqual(await check(Parent, { kind: 'num', value: 3 }), { plan: true, cv: true });
    assert.deepEqual(await check(Parent, { kind: 'num', value: 3, child: { n: 1 } }), { plan: false, cv: true });
    assert.deepEqual(await check(Parent, { kind: 'a', tags: 'abcd' }), { plan: false, cv: false });
    assert.deepEqual(await check(WithAsync, { name: 'x' }), { plan: false, cv: true });
  });
});
