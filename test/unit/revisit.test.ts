import { describe, expect, it } from 'vitest';
import { DEFAULT_REVISIT } from '../../src/config/settings.js';
import { isDue, nextCheckAt, revisitInterval, type RevisitFacts } from '../../src/schedule/revisit.js';

const now = new Date('2026-12-01T12:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString();
const page = (p: Partial<RevisitFacts>): RevisitFacts => ({ first_seen_at: daysAgo(100), last_checked_at: null, changed_at: null, reported: null, has_hits: false, ...p });

describe('the revisit policy', () => {
  it('spends rechecks where they matter: suspicions soonest, term hits every few hours, young pages daily', () => {
    expect(revisitInterval(page({ reported: 'suspected_deletion', has_hits: true }), DEFAULT_REVISIT, now)).toEqual({ tier: 'suspected', ms: 60 * 60_000 });
    expect(revisitInterval(page({ has_hits: true }), DEFAULT_REVISIT, now)).toEqual({ tier: 'hits', ms: 6 * 3600_000 });
    // a page a report cites, whatever it says, however old and settled
    expect(revisitInterval(page({ pinned: true, changed_at: daysAgo(400) }), { ...DEFAULT_REVISIT, pinnedHours: 2 }, now)).toEqual({ tier: 'pinned', ms: 2 * 3600_000 });
    expect(revisitInterval(page({ pinned: true, reported: 'suspected_deletion' }), DEFAULT_REVISIT, now).tier).toBe('suspected');
    expect(revisitInterval(page({ first_seen_at: daysAgo(3) }), DEFAULT_REVISIT, now)).toEqual({ tier: 'young', ms: 24 * 3600_000 });
  });

  it('lets settled pages wait longer the longer they stay unchanged (1 → 3 → 7 → 30 days), and a change starts again', () => {
    const interval = (changedDaysAgo: number) => revisitInterval(page({ changed_at: daysAgo(changedDaysAgo) }), DEFAULT_REVISIT, now).ms / 86_400_000;
    expect([0.5, 2, 4, 10, 40].map(interval)).toEqual([1, 1, 3, 7, 30]);
  });

  it('is due from its last look: the last recheck, else its capture', () => {
    const settled = page({ changed_at: daysAgo(40), last_checked_at: daysAgo(29) });
    expect(isDue(settled, DEFAULT_REVISIT, now)).toBe(false);
    expect(nextCheckAt(settled, DEFAULT_REVISIT, now).toISOString()).toBe(daysAgo(-1));
    expect(isDue(page({ changed_at: daysAgo(40), last_checked_at: daysAgo(31) }), DEFAULT_REVISIT, now)).toBe(true);
    expect(isDue(page({ has_hits: true, first_seen_at: daysAgo(0.2), changed_at: daysAgo(0.2) }), DEFAULT_REVISIT, now)).toBe(false);
    expect(isDue(page({ has_hits: true, first_seen_at: daysAgo(0.3), changed_at: daysAgo(0.3) }), DEFAULT_REVISIT, now)).toBe(true);
  });
});
