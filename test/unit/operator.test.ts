import { describe, expect, it } from 'vitest';
import { diskFilling } from '../../src/detect/disk-filling.js';
import { hostBlocked, type RunTrouble } from '../../src/detect/host-blocked.js';
import { listBroken } from '../../src/detect/list-broken.js';
import type { OpenProblem } from '../../src/detect/operator-event.js';
import { outboxStuck } from '../../src/detect/outbox-stuck.js';
import { siteQuiet } from '../../src/detect/site-quiet.js';

const now = new Date('2026-12-01T10:00:00.000Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString();
const dateAgo = (d: number) => daysAgo(d).slice(0, 10);
/** what the store holds once the event was written (raised_at, summary and since from it) */
const opened = (e: { since: string; at: string; summary: string } | undefined): OpenProblem => {
  if (!e) throw new Error('nothing raised');
  return { since: e.since, raised_at: e.at, summary: e.summary };
};

describe('siteQuiet', () => {
  const rule = { quietDays: 21, lookbackDays: 90, minPostings: 8 };
  // weekly for the 90 days before the last new posting, 23 days ago
  const weekly = { lastNewAt: daysAgo(23), published: [...Array.from({ length: 13 }, (_, k) => dateAgo(23 + 7 * k)), dateAgo(400), null] };

  it('is raised for a site that posted weekly and has yielded nothing new for quietDays, saying what was measured', () => {
    const e = siteQuiet('kashi', weekly, undefined, rule, now);
    expect(e).toMatchObject({ kind: 'operator', problem: 'site_quiet', state: 'raised', subject: 'kashi', site: 'kashi', since: weekly.lastNewAt, at: now.toISOString() });
    expect(e!.summary).toBe(`kashi: no new posting for 23 days (the last first seen ${weekly.lastNewAt}); it posted 13 times in the 90 days before (about weekly)`);
    expect(e!.measured).toMatchObject({ postings_before: 13, quiet_days: 23 });
  });

  it('is not raised again while it stays quiet', () => {
    const open = opened(siteQuiet('kashi', weekly, undefined, rule, now));
    expect(siteQuiet('kashi', weekly, open, rule, new Date(now.getTime() + 5 * 86_400_000))).toBeUndefined();
  });

  it('is cleared by the next new posting', () => {
    const open = opened(siteQuiet('kashi', weekly, undefined, rule, now));
    const e = siteQuiet('kashi', { ...weekly, lastNewAt: now.toISOString() }, open, rule, now);
    expect(e).toMatchObject({ problem: 'site_quiet', state: 'cleared', since: weekly.lastNewAt });
    expect(e!.summary).toMatch(/a new posting again .* after 23 days without one/);
  });

  it('is not judged before quietDays have passed', () => {
    expect(siteQuiet('kashi', { ...weekly, lastNewAt: daysAgo(20) }, undefined, rule, now)).toBeUndefined();
  });

  it('is not judged for a site without enough history by its postings’ own dates', () => {
    // a first crawl 30 days ago saw 200 postings at once, all from years before: first sight says nothing
    const old = { lastNewAt: daysAgo(30), published: Array.from({ length: 200 }, (_, k) => dateAgo(800 + k)) };
    expect(siteQuiet('old', old, undefined, rule, now)).toBeUndefined();
    // seven in the window: fewer than minPostings
    expect(siteQuiet('kashi', { ...weekly, published: weekly.published.slice(0, 7) }, undefined, rule, now)).toBeUndefined();
    expect(siteQuiet('none', { lastNewAt: null, published: [] }, undefined, rule, now)).toBeUndefined();
  });
});

describe('hostBlocked', () => {
  const s = { site: 'kashi', host: 'www.kashi.gov.cn', home: 'http://www.kashi.gov.cn/' };
  const rule = { blockedRuns: 3 };
  const run = (id: number, trouble: string | null, detail: string | null = trouble ? 'the home page does not answer normally: HTTP 503' : null): RunTrouble => ({ run_id: id, started_at: `2026-12-01T0${id}:00:00.000Z`, trouble, detail });

  it('is raised when the site was unreachable in N runs in a row, naming the host, the streak and the last trouble', () => {
    const e = hostBlocked(s, [run(5, 'unreachable'), run(4, 'unreachable'), run(3, 'unreachable'), run(2, null)], undefined, rule, now);
    expect(e).toMatchObject({ problem: 'host_blocked', state: 'raised', subject: 'kashi', site: 'kashi', host: 'www.kashi.gov.cn', since: run(3, null).started_at });
    expect(e!.summary).toBe('kashi (www.kashi.gov.cn): unreachable in 3 runs in a row since 2026-12-01T03:00:00.000Z; last: the home page does not answer normally: HTTP 503');
  });

  it('is not raised for fewer runs, nor for trouble broken by a run that answered', () => {
    expect(hostBlocked(s, [run(5, 'unreachable'), run(4, 'unreachable')], undefined, rule, now)).toBeUndefined();
    expect(hostBlocked(s, [run(5, 'unreachable'), run(4, 'unreachable'), run(3, null), run(2, 'unreachable')], undefined, rule, now)).toBeUndefined();
    expect(hostBlocked(s, [], undefined, rule, now)).toBeUndefined();
  });

  it('says blocked, or unreachable or blocked, as the runs were', () => {
    expect(hostBlocked(s, [run(5, 'challenge_failed'), run(4, 'challenge_failed'), run(3, 'challenge_failed')], undefined, rule, now)!.summary).toContain('blocked in 3 runs');
    expect(hostBlocked(s, [run(5, 'challenge_failed'), run(4, 'unreachable'), run(3, 'unreachable')], undefined, rule, now)!.summary).toContain('unreachable or blocked in 3 runs');
  });

  it('is not raised again while it lasts, and is cleared by the first run in which the site answers', () => {
    const open = opened(hostBlocked(s, [run(5, 'unreachable'), run(4, 'unreachable'), run(3, 'unreachable')], undefined, rule, now));
    expect(hostBlocked(s, [run(6, 'unreachable'), run(5, 'unreachable'), run(4, 'unreachable'), run(3, 'unreachable')], open, rule, now)).toBeUndefined();
    const e = hostBlocked(s, [run(7, null), run(6, 'unreachable')], open, rule, now);
    expect(e).toMatchObject({ problem: 'host_blocked', state: 'cleared', since: open.since });
    expect(e!.summary).toMatch(/^kashi \(www\.kashi\.gov\.cn\): answers again, after \d+ hours unreachable or blocked$/);
  });
});

describe('listBroken', () => {
  const l = { site: 'county', url: 'http://x.gov.cn/list.htm', yielded: false, empty: true, lastYieldedAt: '2026-11-30T08:00:00.000Z' };

  it('is raised when a list that used to yield postings yields none', () => {
    const e = listBroken(l, undefined, now);
    expect(e).toMatchObject({ problem: 'list_broken', state: 'raised', subject: l.url, site: 'county', url: l.url, since: now.toISOString() });
    expect(e!.summary).toContain('yields no posting links');
  });

  it('is not raised for a list that never yielded, nor again while it stays empty', () => {
    expect(listBroken({ ...l, lastYieldedAt: null }, undefined, now)).toBeUndefined();
    const open = opened(listBroken(l, undefined, now));
    expect(listBroken(l, open, now)).toBeUndefined();
    // not read this run (the site down): neither yielded nor empty
    expect(listBroken({ ...l, empty: false }, open, now)).toBeUndefined();
  });

  it('is cleared when the list yields again', () => {
    const open = opened(listBroken(l, undefined, now));
    expect(listBroken({ ...l, empty: false, yielded: true }, open, now)).toMatchObject({ state: 'cleared', since: open.since });
  });
});

describe('diskFilling', () => {
  const G = 1024 ** 3;
  const rule = { diskFreeMB: 2048, diskFreePercent: 2 };

  it('is raised below the MiB threshold or below the share, saying how much is free', () => {
    const e = diskFilling('/data', { freeBytes: 1.5 * G, totalBytes: 50 * G }, undefined, rule, now);
    expect(e).toMatchObject({ problem: 'disk_filling', state: 'raised', subject: '/data' });
    expect(e!.summary).toBe('/data: 1536 MiB free of 50.0 GiB (3.0%), below the threshold of 2048 MiB or 2%');
    expect(diskFilling('/data', { freeBytes: 10 * G, totalBytes: 1000 * G }, undefined, rule, now)).toMatchObject({ state: 'raised' });
    expect(diskFilling('/data', { freeBytes: 30 * G, totalBytes: 100 * G }, undefined, rule, now)).toBeUndefined();
  });

  it('is not raised again, and is cleared only with room to spare (hysteresis)', () => {
    const open = opened(diskFilling('/data', { freeBytes: 1.5 * G, totalBytes: 50 * G }, undefined, rule, now));
    expect(diskFilling('/data', { freeBytes: 1.4 * G, totalBytes: 50 * G }, open, rule, now)).toBeUndefined();
    // above the threshold, but not by 20%
    expect(diskFilling('/data', { freeBytes: 2.1 * G, totalBytes: 50 * G }, open, rule, now)).toBeUndefined();
    const e = diskFilling('/data', { freeBytes: 2.5 * G, totalBytes: 50 * G }, open, rule, now);
    expect(e).toMatchObject({ state: 'cleared', since: open.since });
    expect(e!.summary).toBe('/data: 2560 MiB free of 50.0 GiB (5.0%) again');
  });
});

describe('outboxStuck', () => {
  const rule = { outboxMinutes: 60 };
  const stuck = { queued: 3, oldest: new Date(now.getTime() - 90 * 60_000).toISOString(), failing: 3, attempts: 6, last_error: 'cannot reach the mail server 127.0.0.1:2525 (ECONNREFUSED)' };

  it('is raised when a mail has waited longer than outboxMinutes, with the last error', () => {
    const e = outboxStuck(stuck, undefined, rule, now);
    expect(e).toMatchObject({ problem: 'outbox_stuck', state: 'raised', subject: 'outbox', since: stuck.oldest });
    expect(e!.summary).toBe(`outbox: 3 mail(s) waiting, the oldest for 90 minutes (formed ${stuck.oldest}); 3 failing, tried up to 6 time(s); last error: ${stuck.last_error}`);
  });

  it('is not raised for young mail, nor for an empty outbox', () => {
    expect(outboxStuck({ ...stuck, oldest: new Date(now.getTime() - 10 * 60_000).toISOString() }, undefined, rule, now)).toBeUndefined();
    expect(outboxStuck({ queued: 0, oldest: null, failing: 0, attempts: 0, last_error: null }, undefined, rule, now)).toBeUndefined();
  });

  it('is not raised again while stuck, and is cleared when it drains', () => {
    const open = opened(outboxStuck(stuck, undefined, rule, now));
    expect(outboxStuck({ ...stuck, queued: 4 }, open, rule, now)).toBeUndefined();
    // the old mail went out, but a young one is failing: not yet
    expect(outboxStuck({ queued: 1, oldest: now.toISOString(), failing: 1, attempts: 1, last_error: 'x' }, open, rule, now)).toBeUndefined();
    expect(outboxStuck({ queued: 0, oldest: null, failing: 0, attempts: 0, last_error: null }, open, rule, now)).toMatchObject({ state: 'cleared', since: open.since, summary: 'outbox: mail goes out again' });
  });
});
