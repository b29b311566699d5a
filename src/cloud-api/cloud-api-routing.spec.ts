import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request, Response } from 'express';
import { cloudApiRouting, cloudApiVersion, isCloudApiRequest } from './cloud-api-routing';

function route(url: string, headers: Record<string, string> = {}) {
  const req = { url, originalUrl: url, headers: { ...headers } } as unknown as Request;
  cloudApiRouting()(req, {} as Response, () => undefined);
  return { url: req.url, cloud: isCloudApiRequest(req), version: cloudApiVersion(req), auth: req.headers.authorization };
}

describe('cloudApiRouting', () => {
  it("maps Meta's paths, versioned or not, onto /cloud-api", () => {
    assert.deepEqual(route('/v21.0/123/messages'), { url: '/cloud-api/123/messages', cloud: true, version: 'v21.0', auth: undefined });
    assert.equal(route('/123/messages').url, '/cloud-api/123/messages');
    assert.equal(route('/qr_1_abc/media?messaging_product=whatsapp').url, '/cloud-api/qr_1_abc/media?messaging_product=whatsapp');
    assert.equal(route('/1037543291543636').url, '/cloud-api/1037543291543636');
    assert.equal(route('/102290129340398/phone_numbers?fields=id').url, '/cloud-api/102290129340398/phone_numbers?fields=id');
    assert.equal(route('/v19.0/media-download/1037543291543636?ext=1&hash=x').url, '/cloud-api/media-download/1037543291543636?ext=1&hash=x');
    assert.equal(route('/v21.0/123/unknown_edge').url, '/cloud-api/123/unknown_edge');
    // The account edges, unversioned too; Graph's root and node-less calls with a version.
    for (const edge of ['subscribed_apps', 'register', 'deregister', 'whatsapp_business_profile']) assert.equal(route(`/283719402711654/${edge}`).url, `/cloud-api/283719402711654/${edge}`);
    assert.equal(route('/debug_token?input_token=x').url, '/cloud-api/debug_token?input_token=x');
    assert.equal(route('/v13.0/').url, '/cloud-api');
    assert.equal(route('/v21.0/me').url, '/cloud-api/me');
  });

  it('leaves the native API, the docs and other files alone', () => {
    for (const url of ['/api/sessions', '/api/health', '/api', '/docs', '/docs/', '/docs-json', '/favicon.ico', '/', '/123/unknown_edge']) {
      const r = route(url);
      assert.equal(r.url, url);
      assert.equal(r.cloud, false, url);
    }
  });

  it('takes ?access_token= as the Bearer token on facade paths only, never over a header', () => {
    assert.equal(route('/v21.0/123/messages?access_token=abc').auth, 'Bearer abc');
    assert.equal(route('/v21.0/123/messages?access_token=abc', { authorization: 'Bearer xyz' }).auth, 'Bearer xyz');
    assert.equal(route('/api/sessions?access_token=abc').auth, undefined);
  });
});
