import assert from 'node:assert/strict';
import { after, describe, it } from '../support/node-test';
import { api, eventually } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';

const PASSWORD = 'initial-password';
const LIMITS = { ADMIN_PASSWORD: PASSWORD, LOGIN_MAX_FAILURES: '3', LOGIN_MAX_FAILURES_GLOBAL: '8', LOGIN_FAILURE_WINDOW_MS: '1500' };

/**
 * Password checks are limited: after LOGIN_MAX_FAILURES wrong passwords from one address in a
 * window, that address gets 429 TOO_MANY_ATTEMPTS with Retry-After (even for the right
 * password) until the window ends; other addresses are unaffected up to the global ceiling.
 * The tests come from loopback, whose X-Forwarded-For the default TRUST_PROXY believes.
 */
describe('Failed password attempts are limited', () => {
  const apps: TestApp[] = [];
  after(async () => {
    await Promise.all(apps.map((a) => a.destroy()));
  });
  async function app(env: Record<string, string> = {}): Promise<TestApp> {
    const t = await startTestApp({ env: { ...LIMITS, ...env } });
    apps.push(t);
    return t;
  }
  const login = (t: TestApp, password: string, ip?: string) => {
    const req = api(t, null).post('/api/auth/login');
    if (ip) req.set('X-Forwarded-For', ip);
    return req.send({ password });
  };

  it('answers 429 with Retry-After after N wrong passwords from one address; another address is unaffected; the window ends', async () => {
    const t = await app();
    for (let i = 0; i < 3; i++) assert.equal((await login(t, 'wrong', '198.51.100.7')).status, 401);
    const limited = await login(t, 'wrong', '198.51.100.7');
    assert.equal(limited.status, 429, JSON.stringify(limited.body));
    assert.equal(limited.body.error.code, 'TOO_MANY_ATTEMPTS');
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 2, `Retry-After: ${limited.headers['retry-after']}`);
    // While limited, not even the right password is checked.
    assert.equal((await login(t, PASSWORD, '198.51.100.7')).status, 429);

    // Another address logs in, and has its own count.
    assert.equal((await login(t, PASSWORD, '198.51.100.8')).status, 200);
    assert.equal((await login(t, 'wrong', '198.51.100.8')).status, 401);

    // After the window the right password works again from the limited address.
    const ok = await eventually(async () => {
      const res = await login(t, PASSWORD, '198.51.100.7');
      return res.status === 200 ? res : null;
    }, 5_000, 100);
    assert.match(ok.body.token, /^eyJ/);
  });

  it('does not count successes', async () => {
    const t = await app();
    for (let i = 0; i < 6; i++) assert.equal((await login(t, PASSWORD, '198.51.100.20')).status, 200);
    for (let i = 0; i < 3; i++) assert.equal((await login(t, 'wrong', '198.51.100.20')).status, 401);
    assert.equal((await login(t, 'wrong', '198.51.100.20')).status, 429);
  });

  it('counts wrong current passwords on change-password too', async () => {
    const t = await app();
    const change = (current: string) =>
      api(t).post('/api/auth/change-password').set('X-Forwarded-For', '198.51.100.30').send({ currentPassword: current, newPassword: 'next-password-1' });
    for (let i = 0; i < 3; i++) assert.equal((await change('wrong')).status, 401);
    const limited = await change(PASSWORD);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'TOO_MANY_ATTEMPTS');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
  });

  it('has a global ceiling that addresses rotated by an attacker cannot pass', async () => {
    const t = await app();
    for (let i = 0; i < 8; i++) assert.equal((await login(t, 'wrong', `203.0.113.${i + 1}`)).status, 401);
    const limited = await login(t, 'wrong', '203.0.113.200');
    assert.equal(limited.status, 429);
    assert.match(limited.body.error.message, /on this server/);
    assert.ok(Number(limited.headers['retry-after']) >= 1);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY believes the peer', async () => {
    const t = await app({ TRUST_PROXY: 'false' });
    for (let i = 0; i < 3; i++) assert.equal((await login(t, 'wrong', `192.0.2.${i + 1}`)).status, 401);
    // A new forwarded address changes nothing: the peer (loopback) is what is counted.
    assert.equal((await login(t, PASSWORD, '192.0.2.99')).status, 429);
  });
});
