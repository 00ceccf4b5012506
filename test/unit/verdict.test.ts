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

describe('shell quoting of the commands mails and messages print', () => {
  it('leaves plain words alone and makes the rest one inert word', () => {
    expect(shellQuote('http://127.0.0.1:80/info/1.htm')).toBe('http://127.0.0.1:80/info/1.htm');
    expect(shellQuote('http://x.gov.cn/a.htm?id=1;curl$IFS|sh&b=2')).toBe(`'http://x.gov.cn/a.htm?id=1;curl$IFS|sh&b=2'`);
    expect(shellQuote(`/tmp/it's here`)).toBe(`'/tmp/it'\\''s here'`);
  });
});
