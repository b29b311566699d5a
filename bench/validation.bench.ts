/**
 * Validation cost per request body, in-process (no HTTP): the global pipe as the app builds it
 * (`createValidationPipe()`), Nest's plain ValidationPipe with the same options, and the send
 * schema's compiled ajv function alone, on the body the queue benchmark sends and on a media
 * send with mentions. Run with `npm run bench:validation`; run the same file on an older tree
 * to compare pipes (it only uses createValidationPipe and the DTO).
 */
import 'reflect-metadata';
import { ValidationPipe, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import Ajv from 'ajv';
import { createValidationPipe } from '../src/common/validation/validation.pipe';
import { SendMessageDto } from '../src/messages/dto/send-message.dto';
import { runBench } from './support/run';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 100_000);
const BODY: ArgumentMetadata = { type: 'body', metatype: SendMessageDto, data: '' };
const bodies = {
  text: { sessionId: 'qr_1781332832910_5eab537f', to: '15550501234', type: 'text', text: 'Benchmark message' },
  media: {
    sessionId: 'qr_1781332832910_5eab537f',
    to: '15550501234',
    type: 'image',
    url: 'https://example.com/photo.jpg',
    caption: 'Our new catalogue',
    mentions: ['919846303025', '919846303026'],
    idempotencyKey: 'order-42',
  },
};

async function perCall(label: string, pipe: PipeTransform, body: object): Promise<number> {
  // Each call gets its own parsed copy, as a request would.
  const json = JSON.stringify(body);
  for (let i = 0; i < ITERATIONS / 10; i++) await pipe.transform(JSON.parse(json), BODY);
  const started = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) await pipe.transform(JSON.parse(json), BODY);
  const ns = Number(process.hrtime.bigint() - started) / ITERATIONS;
  process.stdout.write(`| ${label} | ${(ns / 1000).toFixed(2)} µs |\n`);
  return ns;
}

async function main(): Promise<void> {
  const plain = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, transformOptions: { enableImplicitConversion: false } });
  const app = createValidationPipe();
  let schema: PipeTransform | undefined;
  try {
    // The compiled schema alone, where the tree has one (parse + validate, no pipe).
    const { SEND_MESSAGE_SCHEMA } = await import('../src/messages/dto/send-message.schema' as string);
    const validate = new Ajv().compile(SEND_MESSAGE_SCHEMA);
    schema = { transform: (v: unknown) => validate(v) };
  } catch {
    schema = undefined;
  }
  process.stdout.write(`## Validation per body (${new Date().toISOString()}, ${ITERATIONS} calls each, JSON.parse included)\n\n| pipe, body | per call |\n|---|---|\n`);
  for (const [name, body] of Object.entries(bodies)) {
    const p = await perCall(`ValidationPipe (class-transformer + class-validator), ${name}`, plain, body);
    const a = await perCall(`global pipe of this tree, ${name}`, app, body);
    if (schema) await perCall(`ajv schema alone, ${name}`, schema, body);
    process.stdout.write(`| global pipe / plain ValidationPipe, ${name} | ${((a / p) * 100).toFixed(0)} % |\n`);
  }
}

runBench(main);
