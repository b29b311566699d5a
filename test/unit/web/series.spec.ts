import assert from 'node:assert/strict';
import { describe, it } from '../../support/node-test';
import { hourlySeries, niceMax, total } from '../../../web/src/lib/series';

describe('dashboard: the overview chart data', () => {
  it('fills the 24 hours up to now, oldest first, with zeros where the API sent nothing', () => {
    const now = new Date('2026-11-22T09:41:00Z');
    const s = hourlySeries(
      [
        { hour: '2026-11-22T09:00:00Z', outbound: 4, sent: 4, delivered: 3, read: 2, failed: 1, inbound: 2 },
        { hour: '2026-11-21T10:00:00Z', outbound: 1, sent: 0, delivered: 0, read: 0, failed: 0, inbound: 0 },
        { hour: '2026-11-21T09:00:00Z', outbound: 9, sent: 9, delivered: 9, read: 9, failed: 9, inbound: 9 },
      ],
      now,
    );
    assert.equal(s.length, 24);
    assert.equal(s[0].hour, '2026-11-21T10:00:00.000Z');
    assert.equal(s[0].outbound, 1);
    assert.equal(s[23].hour, '2026-11-22T09:00:00.000Z');
    assert.deepEqual(s[23], { hour: '2026-11-22T09:00:00.000Z', outbound: 4, sent: 4, delivered: 3, read: 2, failed: 1, inbound: 2 });
    assert.equal(s.slice(1, 23).every((h) => h.outbound + h.sent + h.delivered + h.read + h.failed + h.inbound === 0), true);
  });

  it('counts a figure an older server does not send as zero', () => {
    const s = hourlySeries([{ hour: '2026-11-22T09:00:00Z', outbound: 2, inbound: 1, failed: 1 }], new Date('2026-11-22T09:05:00Z'), 1);
    assert.deepEqual(s, [{ hour: '2026-11-22T09:00:00.000Z', outbound: 2, sent: 0, delivered: 0, read: 0, failed: 1, inbound: 1 }]);
  });

  it('rounds the axis up to 1, 2 or 5 × 10^n and sums counts', () => {
    assert.deepEqual([0, 1, 3, 7, 10, 11, 180, 2600].map(niceMax), [1, 1, 5, 10, 10, 20, 200, 5000]);
    assert.equal(total({ READ: 3, FAILED: 2 }), 5);
    assert.equal(total(undefined), 0);
  });
});
