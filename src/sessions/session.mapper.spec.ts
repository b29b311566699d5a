import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectiveStatus } from './session.mapper';
import { SessionStatus } from './session-status';

describe('effectiveStatus: a session is only as READY as its owner\'s lease', () => {
  const live = (status: SessionStatus) => ({ status, qr: null, pairingCode: null, attempts: 0 });

  it('reports the live status where the session runs', () => {
    assert.equal(effectiveStatus({ status: SessionStatus.CONNECTING, active: true }, live(SessionStatus.READY), null), SessionStatus.READY);
  });

  it('reports the stored status while another replica holds the lease', () => {
    assert.equal(effectiveStatus({ status: SessionStatus.READY, active: true }, null, 'gateway-2'), SessionStatus.READY);
  });

  it('reports DISCONNECTED for a running status when nobody holds the lease', () => {
    for (const status of [SessionStatus.READY, SessionStatus.CONNECTING, SessionStatus.REGISTERING]) {
      assert.equal(effectiveStatus({ status, active: true }, null, null), SessionStatus.DISCONNECTED, status);
    }
  });

  it('keeps final statuses and sessions not meant to run as stored', () => {
    assert.equal(effectiveStatus({ status: SessionStatus.LOGGED_OUT, active: false }, null, null), SessionStatus.LOGGED_OUT);
    assert.equal(effectiveStatus({ status: SessionStatus.INACTIVE, active: false }, null, null), SessionStatus.INACTIVE);
    assert.equal(effectiveStatus({ status: SessionStatus.READY, active: false }, null, null), SessionStatus.READY);
  });

  it('keeps the stored status when the lease was not looked up', () => {
    assert.equal(effectiveStatus({ status: SessionStatus.READY, active: true }, null, undefined), SessionStatus.READY);
  });
});
