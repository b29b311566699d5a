import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request, Response } from 'express';
import { CredentialVerifier } from '../auth/credential-verifier.service';
import { Principal } from '../auth/principal';
import type { ClusterService } from '../cluster/cluster.service';
import { AppError } from '../common/errors/app-error';
import type { AppConfig } from '../config/app-config';
import { ForwardToOwnerMiddleware } from './forward-to-owner.middleware';
import { OwnerRoutes } from './owner-routes';
import type { SessionResolver } from './session-resolver';

/**
 * The replica receiving a call that needs the session's socket checks the caller before it
 * looks up where the session runs: an anonymous or bad credential costs no lookup and is never
 * forwarded. (Forwarding itself runs through real replicas in test/e2e/cluster*.)
 */
describe('ForwardToOwnerMiddleware', () => {
  function rig() {
    const lookups: string[] = [];
    const ownerQueries: string[] = [];
    const resolver = { findEntity: async (ref: string) => (lookups.push(ref), { id: `id-${ref}` }) } as unknown as SessionResolver;
    const cluster = { nodeId: 'b', remoteOwner: async (id: string) => (ownerQueries.push(id), null) } as unknown as ClusterService;
    const tokens = {
      authenticateCredential: async (credential: string) =>
        credential === 'good' ? Principal.admin('api-key') : credential === 'gateway-token' ? new Principal('token', false, 't1', null, null, 'gateway') : null,
    };
    const verifier = new CredentialVerifier({} as never, tokens as never, {} as never);
    const middleware = new ForwardToOwnerMiddleware(cluster, new OwnerRoutes(resolver), verifier, {} as AppConfig);
    const run = async (headers: Record<string, string>, path = '/api/sessions/s1/groups') => {
      let passed = false;
      const req = { method: 'GET', originalUrl: path, headers, body: undefined, query: {} } as unknown as Request;
      await middleware.use(req, {} as Response, () => void (passed = true));
      return passed;
    };
    return { run, lookups, ownerQueries };
  }

  it('refuses a call without a credential with 401 before any lookup', async () => {
    const { run, lookups, ownerQueries } = rig();
    await assert.rejects(run({}), (err: unknown) => err instanceof AppError && err.code === 'UNAUTHENTICATED');
    await assert.rejects(run({ authorization: 'Bearer wrong' }), (err: unknown) => err instanceof AppError && err.code === 'UNAUTHENTICATED');
    await assert.rejects(run({ 'x-api-key': 'wrong' }), (err: unknown) => err instanceof AppError && err.code === 'UNAUTHENTICATED');
    assert.deepEqual(lookups, []);
    assert.deepEqual(ownerQueries, []);
  });

  it('refuses a product API token on a native route with 403, as the global guard does', async () => {
    const { run, ownerQueries } = rig();
    await assert.rejects(run({ authorization: 'Bearer gateway-token' }), (err: unknown) => err instanceof AppError && err.code === 'FORBIDDEN');
    assert.deepEqual(ownerQueries, []);
  });

  it('looks the owner up for a valid caller, and lets other routes through untouched', async () => {
    const { run, lookups, ownerQueries } = rig();
    assert.equal(await run({ authorization: 'Bearer good' }), true, 'nobody else runs it: answered here');
    assert.deepEqual(lookups, ['s1']);
    assert.deepEqual(ownerQueries, ['id-s1']);
    // Not a call that needs the socket: no credential check here (the guard does it).
    assert.equal(await run({}, '/api/sessions/s1'), true);
    // Already forwarded: answered where it lands.
    assert.equal(await run({ 'x-switchboard-forwarded-by': 'a' }), true);
    assert.deepEqual(ownerQueries, ['id-s1']);
  });
});
