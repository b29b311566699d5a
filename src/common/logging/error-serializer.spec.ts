import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryFailedError } from 'typeorm';
import { operationOf, serializeError } from './error-serializer';

function pgError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), { severity: 'ERROR', ...fields });
}

describe('serializeError', () => {
  it('drops parameters and row contents of a failed query, keeping code and operation', () => {
    const driver = pgError('new row for relation "message" violates check constraint "x"', {
      code: '23514',
      table: 'message',
      constraint: 'x',
      detail: 'Failing row contains (1, hello secret text).',
    });
    const err = new QueryFailedError('INSERT INTO "message" ("text") VALUES ($1)', ['hello secret text'], driver);
    const out = serializeError(new Error('wrapped', { cause: err })) as Record<string, any>;
    const json = JSON.stringify(out);
    assert.ok(!json.includes('hello secret text'), json);
    assert.equal(out.cause.code, '23514');
    assert.equal(out.cause.operation, 'INSERT message');
    assert.equal(out.cause.constraint, 'x');
  });

  it('redacts values Postgres quotes in data exception messages', () => {
    const err = new QueryFailedError('SELECT * FROM api_token WHERE id = $1', ['sb_leak'], pgError('invalid input syntax for type uuid: "sb_leak"', { code: '22P02' }));
    const json = JSON.stringify(serializeError(err));
    assert.ok(!json.includes('sb_leak'), json);
    assert.match(json, /invalid input syntax for type uuid/);
  });

  it('names operations without values', () => {
    assert.equal(operationOf(`UPDATE webhook SET secret = 'x' WHERE id = $1`), 'UPDATE webhook');
    assert.equal(operationOf('select 1 from "session" s'), 'SELECT session');
    assert.equal(operationOf('DELETE FROM wa_auth_key WHERE session_id = $1'), 'DELETE wa_auth_key');
  });
});
