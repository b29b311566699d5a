import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../common/errors/app-error';
import { AppConfig } from '../config/app-config';
import { MAX_TRACKED_CLIENTS, PasswordAttempts } from './password-attempts';

const attempts = (env: Record<string, string>) => new PasswordAttempts(new AppConfig({ LOGIN_FAILURE_WINDOW_MS: '60000', ...env }));
const code = (fn: () => void) => {
  try {
    fn();
    return null;
  } catch (err) {
    return (err as AppError).code;
  }
};

describe('PasswordAttempts', () => {
  it('keeps memory bounded while an attacker rotates addresses', () => {
    const a = attempts({ LOGIN_MAX_FAILURES: '5', LOGIN_MAX_FAILURES_GLOBAL: '1000000' });
    for (let i = 0; i < MAX_TRACKED_CLIENTS * 3; i++) a.begin(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    assert.equal(a.trackedClients, MAX_TRACKED_CLIENTS);
  });

  it('counts an IPv6 /64 as one client, and IPv4-mapped IPv6 as the IPv4 address', () => {
    const a = attempts({ LOGIN_MAX_FAILURES: '2', LOGIN_MAX_FAILURES_GLOBAL: '100' });
    a.begin('2001:db8:1:2::1');
    a.begin('2001:db8:1:2::ffff');
    assert.equal(code(() => a.begin('2001:db8:1:2:abcd::9')), 'TOO_MANY_ATTEMPTS');
    assert.equal(code(() => a.begin('2001:db8:1:3::1')), null);
    a.begin('192.0.2.1');
    a.begin('::ffff:192.0.2.1');
    assert.equal(code(() => a.begin('192.0.2.1')), 'TOO_MANY_ATTEMPTS');
  });

  it('gives a right password back, also under parallel checks', () => {
    const a = attempts({ LOGIN_MAX_FAILURES: '2', LOGIN_MAX_FAILURES_GLOBAL: '100' });
    // Two checks in flight count before either finishes: a third is refused at once.
    a.begin('192.0.2.5');
    a.begin('192.0.2.5');
    assert.equal(code(() => a.begin('192.0.2.5')), 'TOO_MANY_ATTEMPTS');
    a.succeeded('192.0.2.5');
    assert.equal(code(() => a.begin('192.0.2.5')), null);
  });
});
