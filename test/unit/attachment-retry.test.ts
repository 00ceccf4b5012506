import { describe, expect, it } from 'vitest';
import { retryDue } from '../../src/schedule/attachment-checks.js';

const at = (hoursAgo: number) => new Date(Date.parse('2026-12-01T12:00:00Z') - hoursAgo * 3_600_000).toISOString();
const now = Date.parse('2026-12-01T12:00:00Z');

describe('when a file that could not be fetched is tried again by a watcher', () => {
  it('after 1, 2, 4 … hours: twice as long after each failure', () => {
    expect([retryDue({ failures: 1, last_tried_at: at(0.9) }, now), retryDue({ failures: 1, last_tried_at: at(1) }, now)]).toEqual([false, true]);
    expect([retryDue({ failures: 3, last_tried_at: at(3.9) }, now), retryDue({ failures: 3, last_tried_at: at(4) }, now)]).toEqual([false, true]);
  });

  it('at most a week apart, however often it failed', () => {
    expect([retryDue({ failures: 40, last_tried_at: at(167) }, now), retryDue({ failures: 40, last_tried_at: at(168) }, now)]).toEqual([false, true]);
  });
});
