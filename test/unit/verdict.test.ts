import { describe, expect, it } from 'vitest';
import type { CheckFull, PageEvidence } from '../../src/evidence/gather.js';
import { shellQuote } from '../../src/text/shell-quote.js';
import { verdictOf } from '../../src/evidence/verdict.js';

const check = (id: number, outcome: string, reason: string | null, counted: boolean): CheckFull => ({
  id, run_id: id, at: `2026-01-0${id}T00:00:00Z`, fetch_id: null, capture_id: null, outcome, reason, status: 404, final_url: null, counted: counted ? 1 : 0, detail: null, controls: { healthy: counted },
});
const page = (checks: CheckFull[], reported: string | null = null): PageEvidence => ({
  page: { id: 1, url: 'http://127.0.0.1/1.htm', site_id: 's', kind: 'posting', title: '通知', published: null, first_seen_at: '', reported, reported_at: null, fail_reason: null, fail_count: 0, delisted_at: null },
  siteName: null, siteHome: null,
  captures: [{ id: 1, fetch_id: 1, at: '2026-01-01T00:00:00Z', final_url: 'http://127.0.0.1/1.htm', status: 200, body_sha256: 'a', body_size: 1, content_type: 'text/html', charset: null, title: '通知', published: null, text: 't', text_sha256: null }],
  checks, renderings: [], hits: new Map(), listings: [], attachments: [], fetches: new Map(),
});

describe('bundle verdicts', () => {
  it('counts only the run of checks gone the same way, as detection does', () => {
    const v = verdictOf(page([check(1, 'gone', 'soft_404', true), check(2, 'gone', 'http_404', true), check(3, 'gone', 'http_404', true)], 'deleted'));
    expect(v.headline).toBe('deleted (http_404), confirmed on 2 checks with healthy controls');
  });

  it('a "gone" answer while the site itself was unwell is not evidence, and never claims healthy controls', () => {
    const v = verdictOf(page([check(1, 'gone', 'http_404', false)]));
    expect(v.name).toBe('unreachable');
    expect(v.deleted).toBe(false);
    expect(v.headline).toContain('not evidence of deletion');
    expect(v.canConclude.join(' ')).not.toContain('healthy');
  });
});

describe('a page whose capture is the archive\'s (a prior capture)', () => {
  const thirdParty = (checks: CheckFull[], reported: string | null = null): PageEvidence => {
    const ev = page(checks, reported);
    ev.captures = [{ ...ev.captures[0]!, at: '2026-01-01T00:00:00Z', third_party: { id: 1, archive: 'Internet Archive (Wayback Machine)', archive_url: 'http://127.0.0.1:9/web/20180505101010id_/http://127.0.0.1/1.htm', archived_at: '2018-05-05T10:10:10Z', original_url: 'http://127.0.0.1/1.htm', digest: 'C', lookup_fetch_id: 2 } }];
    return ev;
  };

  it('was live when the archive saw it, not when xjwatch fetched the copy', () => {
    const v = verdictOf(thirdParty([check(2, 'gone', 'http_404', true), check(3, 'gone', 'http_404', true)], 'deleted'));
    expect(v.name).toBe('gone-hard');
    expect(v.lastLiveAt).toBe('2018-05-05T10:10:10Z');
    expect(v.canConclude.join(' ')).toContain('2018-05-05T10:10:10Z (by the Internet Archive (Wayback Machine); xjwatch fetched its copy on 2026-01-01T00:00:00Z)');
  });

  it('with no check of xjwatch\'s own yet says nothing about the page now, and never "live"', () => {
    const v = verdictOf(thirdParty([]));
    expect(v.name).not.toMatch(/^present/);
    expect(v.headline).toContain('not checked by xjwatch yet');
    expect(v.cannotConclude.join(' ')).toContain('Anything about the page now');
  });
});

describe('shell quoting of the commands mails and messages print', () => {
  it('leaves plain words alone and makes the rest one inert word', () => {
    expect(shellQuote('http://127.0.0.1:80/info/1.htm')).toBe('http://127.0.0.1:80/info/1.htm');
    expect(shellQuote('http://x.gov.cn/a.htm?id=1;curl$IFS|sh&b=2')).toBe(`'http://x.gov.cn/a.htm?id=1;curl$IFS|sh&b=2'`);
    expect(shellQuote(`/tmp/it's here`)).toBe(`'/tmp/it'\\''s here'`);
  });
});
