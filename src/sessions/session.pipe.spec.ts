import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CanActivate, Controller, ExecutionContext, Get, type INestApplication, Injectable, Module, Param, UseGuards } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import type { Request } from 'express';
import request from 'supertest';
import { FakeSessionLookup, SAMPLE_SESSIONS } from '../../test/fakes/fake-session-lookup';
import { Principal } from '../auth/principal';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { NativeExceptionFilter } from '../common/filters/native-exception.filter';
import type { SessionEntity } from './entities/session.entity';
import { SessionAccess } from './session-access';
import { SessionResolver } from './session-resolver';
import { RouteSession, SessionPipe } from './session.pipe';

const { sales, support } = SAMPLE_SESSIONS;

describe('SessionPipe', () => {
  const pipeOver = (lookup: FakeSessionLookup) => new SessionPipe(new SessionAccess(lookup));

  it('hands back the session the ref names once the caller may act on it', async () => {
    const session = await pipeOver(new FakeSessionLookup(Object.values(SAMPLE_SESSIONS))).transform({
      principal: new Principal('token', false, 't1', sales.id),
      ref: '+91 98463 03025',
    });
    assert.equal(session.id, sales.id);
  });

  it('refuses a ref with a NUL or a lone surrogate as a 400 on sessionId, before any lookup', async () => {
    const lookup = new FakeSessionLookup(Object.values(SAMPLE_SESSIONS));
    for (const ref of ['qr\u0000x', 'qr\ud800x']) {
      const err = await pipeOver(lookup).transform({ principal: Principal.admin('api-key'), ref }).catch((e: unknown) => e);
      assert.ok(err instanceof AppError);
      assert.equal(err.code, ErrorCode.VALIDATION_FAILED);
      assert.equal((err.details as { fields: { field: string }[] }).fields[0].field, 'sessionId');
    }
    assert.deepEqual(lookup.calls, []);
  });

  it('is a programming error on a route without a caller or without {sessionId}', async () => {
    const pipe = pipeOver(new FakeSessionLookup([]));
    await assert.rejects(pipe.transform({ principal: undefined, ref: sales.id }), /authenticated route/);
    await assert.rejects(pipe.transform({ principal: Principal.admin('jwt'), ref: undefined }), /\{sessionId\} parameter/);
  });
});

/** Stands in for the app's auth guard: `x-test-principal: admin | session:<id> | workspace:<name>`. */
@Injectable()
class HeaderPrincipalGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<Request & { user?: Principal }>();
    const [kind, value] = String(req.headers['x-test-principal'] ?? 'admin').split(':');
    req.user =
      kind === 'session' ? new Principal('token', false, 't1', value) : kind === 'workspace' ? new Principal('token', false, 't2', null, value) : Principal.admin('api-key');
    return true;
  }
}

@Controller('api/sessions/:sessionId/probe')
@UseGuards(HeaderPrincipalGuard)
class ProbeController {
  @Get(':other')
  probe(@RouteSession() session: SessionEntity, @Param('other') other: string): { id: string; other: string } {
    return { id: session.id, other };
  }
}

const lookup = new FakeSessionLookup(Object.values(SAMPLE_SESSIONS));

@Module({
  controllers: [ProbeController],
  providers: [SessionAccess, { provide: SessionResolver, useValue: lookup }, { provide: APP_FILTER, useClass: NativeExceptionFilter }],
})
class ProbeModule {}

describe('@RouteSession() on a route', () => {
  let app: INestApplication;
  before(async () => {
    app = await NestFactory.create(ProbeModule, { logger: false });
    await app.init();
  });
  after(async () => {
    await app?.close();
  });

  const get = (path: string, principal?: string) => {
    const req = request(app.getHttpServer()).get(path);
    return principal ? req.set('x-test-principal', principal) : req;
  };

  it('gives the handler the session named by id, number or mobid, next to its other parameters', async () => {
    assert.deepEqual((await get(`/api/sessions/${sales.id}/probe/x`).expect(200)).body, { id: sales.id, other: 'x' });
    assert.equal((await get(`/api/sessions/${encodeURIComponent('+1 555 000 1111')}/probe/x`).expect(200)).body.id, support.id);
    assert.equal((await get(`/api/sessions/${sales.mobid}/probe/x`, `session:${sales.id}`).expect(200)).body.id, sales.id);
  });

  it('answers 404 SESSION_NOT_FOUND and 403 FORBIDDEN as the services did', async () => {
    const missing = await get('/api/sessions/qr_0_missing/probe/x').expect(404);
    assert.equal(missing.body.error.code, 'SESSION_NOT_FOUND');
    assert.deepEqual(missing.body.error.details, { sessionId: 'qr_0_missing' });
    const otherSession = await get(`/api/sessions/${support.id}/probe/x`, `session:${sales.id}`).expect(403);
    assert.equal(otherSession.body.error.code, 'FORBIDDEN');
    const otherWorkspace = await get(`/api/sessions/${sales.mobileNumber}/probe/x`, 'workspace:Support').expect(403);
    assert.equal(otherWorkspace.body.error.code, 'FORBIDDEN');
    assert.equal((await get(`/api/sessions/${support.id}/probe/x`, 'workspace:Support').expect(200)).body.id, support.id);
  });

  it('answers 400 on sessionId for a path value no session can have', async () => {
    const res = await get('/api/sessions/qr%00x/probe/x').expect(400);
    assert.equal(res.body.error.code, 'VALIDATION_FAILED');
    assert.equal(res.body.error.details.fields[0].field, 'sessionId');
  });
});
