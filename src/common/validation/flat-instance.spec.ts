import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsOptional, IsString } from 'class-validator';
import { CreateTokenDto } from '../../auth/dto/auth.dto';
import { ListMessagesQueryDto } from '../../messages/dto/message.dto';
import { SendMessageDto } from '../../messages/dto/send-message.dto';
import { flatInstance } from './flat-instance';
import { createValidationPipe, refuseHostileInput } from './validation.pipe';

function rng(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

const VALUES: unknown[] = [
  null, '', 'abc', 'text', 'image', 'voice', 'api', 'QUEUED', '30d', '12', '1.5', 'x'.repeat(70_000), '919846303025',
  '2026-11-01T00:00:00Z', '6f1c1d4e-1b7e-4c63-9a51-8a8a0e1e2f3a', 0, 1, 2.5, -3, 600, true, false,
  ['a'], [], { latitude: 12.9, longitude: 77.5 }, '{"latitude":1,"longitude":2}', 'a,b',
];

/**
 * The full pipe with the same options and no shortcut, after the same refusal of hostile input
 * (NULs, nulls, repeated query parameters): the reference the fast path must match.
 */
function referencePipe(): ValidationPipe {
  const fast = createValidationPipe() as unknown as { validatorOptions: object; transformOptions: object; exceptionFactory: unknown };
  const pipe = new ValidationPipe({ ...fast.validatorOptions, transform: true, transformOptions: fast.transformOptions, exceptionFactory: fast.exceptionFactory as never });
  const transform = pipe.transform.bind(pipe);
  pipe.transform = (value, metadata) => {
    refuseHostileInput(value, metadata);
    return transform(value, metadata);
  };
  return pipe;
}

async function outcome(pipe: ValidationPipe, value: unknown, metadata: ArgumentMetadata) {
  try {
    const result = await pipe.transform(value, metadata);
    return { ok: true, proto: Object.getPrototypeOf(result), value: JSON.stringify(result) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

describe('flatInstance and the validation pipe shortcut', () => {
  it('gives exactly what the full pipe gives, for random bodies of three DTOs', async () => {
    const fast = createValidationPipe();
    const full = referencePipe();
    const random = rng(7);
    const pick = (list: unknown[]) => list[Math.floor(random() * list.length)];
    const dtos: [Function, string[]][] = [
      [SendMessageDto, ['sessionId', 'to', 'type', 'text', 'url', 'caption', 'fileName', 'mentions', 'speed', 'voice', 'location', 'idempotencyKey']],
      [ListMessagesQueryDto, ['sessionId', 'chat', 'direction', 'status', 'from', 'cursor', 'page', 'limit']],
      [CreateTokenDto, ['name', 'sessionId', 'workspace', 'expiresIn', 'role']],
    ];
    let shortcutTaken = 0;
    for (let i = 0; i < 3000; i++) {
      const [metatype, keys] = dtos[i % dtos.length];
      const body: Record<string, unknown> = {};
      for (const key of keys) if (random() < 0.45) body[key] = pick(VALUES);
      if (random() < 0.03) body.unexpected = 'x';
      const metadata: ArgumentMetadata = { type: 'body', metatype: metatype as never };
      if (flatInstance(metatype, body)) shortcutTaken++;
      // Each pipe gets its own copy: the full pipe strips and closes things in place.
      const a = await outcome(fast, structuredClone(body), metadata);
      const b = await outcome(full, structuredClone(body), metadata);
      assert.deepEqual(a, b, `differs for ${metatype.name} ${JSON.stringify(body).slice(0, 300)}`);
    }
    assert.ok(shortcutTaken > 300, `the shortcut was rarely taken (${shortcutTaken}), so the comparison says little`);
  });

  it('takes only flat bodies on plain keys', () => {
    const text = flatInstance(SendMessageDto, { sessionId: 's', to: '919846303025', type: 'text', text: 'Hi' });
    assert.ok(text instanceof SendMessageDto);
    assert.deepEqual({ ...text }, { sessionId: 's', to: '919846303025', type: 'text', text: 'Hi' });
    assert.equal(flatInstance(SendMessageDto, { sessionId: 's', mentions: ['91'] }), null, 'arrays go to class-transformer');
    assert.equal(flatInstance(SendMessageDto, { sessionId: 's', speed: '1.5' }), null, '@Transform keys go to class-transformer');
    assert.equal(flatInstance(SendMessageDto, { sessionId: 's', nope: 'x' }), null, 'unknown keys go to the full pipe');
    assert.equal(flatInstance(SendMessageDto, JSON.parse('{"__proto__": "x", "sessionId": "s"}')), null);
    assert.equal(flatInstance(SendMessageDto, ['s']), null);
    assert.equal(flatInstance(SendMessageDto, 'text'), null);
    assert.equal(flatInstance(SendMessageDto, new (class Other {})()), null, 'only plain objects');
    const form = Object.assign(Object.create(null), { sessionId: 's', to: '1', type: 'text' });
    assert.ok(flatInstance(SendMessageDto, form) instanceof SendMessageDto, 'multipart fields come on a null-prototype object');
  });

  it('leaves classes with exposure rules or accessors to class-transformer', () => {
    class WithAccessor {
      @IsOptional() @IsString() name?: string;
      @IsOptional() @IsString() get upper(): string {
        return (this.name ?? '').toUpperCase();
      }
    }
    class WithTransform {
      @IsString() @Transform(({ value }) => String(value).trim()) name: string;
      @IsOptional() @IsString() note?: string;
    }
    assert.equal(flatInstance(WithAccessor, { upper: 'x' }), null);
    assert.ok(flatInstance(WithAccessor, { name: 'x' }));
    assert.equal(flatInstance(WithTransform, { name: ' x ' }), null);
    assert.ok(flatInstance(WithTransform, { note: 'n' }));
  });
});
