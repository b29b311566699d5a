import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionStatus } from '../../sessions/session-status';
import { GATEWAY_SESSION_NAME, toGatewayPhone, toGatewayStatus, toGatewayTimestamp } from './gateway.mapper';

describe('WA Gateway mapping', () => {
  it('maps every native status onto online, connecting or offline', () => {
    const expected: Record<SessionStatus, string> = {
      [SessionStatus.READY]: 'online',
      [SessionStatus.REGISTERING]: 'connecting',
      [SessionStatus.CONNECTING]: 'connecting',
      [SessionStatus.DISCONNECTED]: 'connecting',
      [SessionStatus.LOGGED_OUT]: 'offline',
      [SessionStatus.INACTIVE]: 'offline',
    };
    for (const status of Object.values(SessionStatus)) assert.equal(toGatewayStatus(status), expected[status], status);
  });

  it('writes last_seen as YYYY-MM-DD HH:MM:SS in UTC', () => {
    assert.equal(toGatewayTimestamp(new Date('2025-05-11T14:00:00.987Z')), '2025-05-11 14:00:00');
    assert.equal(toGatewayTimestamp(new Date('2025-05-11T23:30:05+05:30')), '2025-05-11 18:00:05');
    assert.equal(toGatewayTimestamp(null), null);
  });

  it('takes phone numbers as country code and digits, never adding a country', () => {
    assert.equal(toGatewayPhone('9611234567'), '9611234567');
    assert.equal(toGatewayPhone('+961 1-234-567'), '9611234567');
    assert.equal(toGatewayPhone('1234567'), '1234567');
    assert.equal(toGatewayPhone('123456789012345'), '123456789012345');
    for (const bad of ['123456', '1234567890123456', '961abc4567', '961.123.4567', '', '+', '9611234567@s.whatsapp.net']) {
      assert.equal(toGatewayPhone(bad), null, bad);
    }
  });

  it('accepts the documented session names only', () => {
    for (const ok of ['default', 'support', 'sales-2', 'x_Y', 'a'.repeat(40)]) assert.ok(GATEWAY_SESSION_NAME.test(ok), ok);
    for (const bad of ['', 'a'.repeat(41), 'with space', 'dot.name', 'ünï', 'slash/x']) assert.ok(!GATEWAY_SESSION_NAME.test(bad), bad);
  });
});
