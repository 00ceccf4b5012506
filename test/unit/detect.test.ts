import { describe, expect, it } from 'vitest';
import { classify, similarity, type Answer, type SiteControls } from '../../src/detect/classify.js';
import { changedRuns, wordDiff } from '../../src/detect/diff.js';
import { step, type PageWatch } from '../../src/detect/lifecycle.js';
import { siteTrouble } from '../../src/detect/site-trouble.js';
import { comparableText } from '../../src/detect/trivia.js';
import { madeUpUrl } from '../../src/schedule/controls.js';

const url = 'http://a.gov.cn/info/1103/3101.htm';
const controls: SiteControls = { homeUrls: ['http://a.gov.cn/', 'http://a.gov.cn/xxgk/tzgg/index.htm'] };
const posting = '关于做好农村富余劳动力转移就业工作的通知。各乡镇要做好卫星工厂用工对接，实行统一输送、统一管理。'.repeat(3);

describe('classify: one answer of a page\'s own URL', () => {
  it.each<[string, Answer, string]>([
    ['404', { status: 404 }, 'gone:http_404'],
    ['410', { status: 410 }, 'gone:http_410'],
    ['DNS failure', { errorKind: 'dns' }, 'gone:dns_gone'],
    ['503', { status: 503 }, 'unreachable:http_5xx'],
    ['timeout', { errorKind: 'timeout' }, 'unreachable:timeout'],
    ['reset', { errorKind: 'reset' }, 'unreachable:reset'],
    ['TLS', { errorKind: 'tls' }, 'unreachable:tls'],
    ['403', { status: 403 }, 'blocked:http_403'],
    ['412 challenge', { status: 412, challenge: true }, 'blocked:challenge'],
    ['304', { status: 304 }, 'not_modified:'],
    ['redirect to home', { status: 200, redirected: true, finalUrl: 'http://a.gov.cn/index.htm', title: '首页', text: '首页内容' }, 'gone:redirect_home'],
    ['redirect to a list page', { status: 200, redirected: true, finalUrl: 'http://www.a.gov.cn/xxgk/tzgg/index.htm', text: '列表' }, 'gone:redirect_home'],
    ['meta refresh home', { status: 200, clientRedirect: 'http://a.gov.cn/', text: '' }, 'gone:redirect_home'],
    ['not-found phrase', { status: 200, title: '提示信息', text: '对不起，您访问的页面不存在或已被删除！返回首页' }, 'gone:soft_404'],
    ['a normal posting', { status: 200, title: '通知', text: posting }, 'live:'],
    ['a posting that quotes a phrase in a long text', { status: 200, title: '通知', text: `${posting}页面不存在的问题已解决。${posting}` }, 'live:'],
    ['redirect to another posting', { status: 200, redirected: true, finalUrl: 'http://a.gov.cn/info/1103/3999.htm', text: posting }, 'live:'],
    ['redirect to another host\'s home page, followed', { status: 200, redirected: true, finalUrl: 'https://www.xinjiang.gov.cn/', title: '新疆维吾尔自治区人民政府', text: posting }, 'gone:redirect_home'],
    ['redirect to another host\'s home page, not followed', { errorKind: 'redirect_offsite', redirected: true, finalUrl: 'http://www.xinjiang.gov.cn/index.html' }, 'gone:redirect_home'],
    ['redirect to a page on another host, not followed', { errorKind: 'redirect_offsite', redirected: true, finalUrl: 'http://www.b.gov.cn/info/1.htm' }, 'unreachable:redirect_offsite'],
    ['redirect to this machine, refused', { errorKind: 'redirect_refused', redirected: true, finalUrl: 'http://127.0.0.1/' }, 'unreachable:redirect_refused'],
  ])('%s', (_name, answer, expected) => {
    const v = classify(answer, controls, url);
    expect(`${v.kind}:${'reason' in v ? v.reason : ''}`).toBe(expected);
  });

  it('calls a 200 answer a soft 404 when it matches what the site answers for a URL that never existed', () => {
    const frame = { status: 200, title: '某某县人民政府', text: '首页 | 信息公开 版权所有：某某县人民政府' };
    expect(classify({ ...frame }, { ...controls, random: frame }, url)).toMatchObject({ kind: 'gone', reason: 'soft_404' });
    expect(classify({ status: 200, title: '通知', text: posting }, { ...controls, random: frame }, url).kind).toBe('live');
  });

  it("calls an API's \"no such item\" with HTTP 200 a soft 404 (site code), but not a 5xx or a block", () => {
    expect(classify({ status: 200, notFound: '文章不存在', title: '', text: '' }, controls, url)).toMatchObject({ kind: 'gone', reason: 'soft_404', detail: expect.stringContaining('文章不存在') });
    expect(classify({ status: 503, notFound: '文章不存在' }, controls, url).kind).toBe('unreachable');
    expect(classify({ status: 403, notFound: '文章不存在' }, controls, url).kind).toBe('blocked');
  });

  it('calls a page whose title and text are gone a soft 404, but not a page that was merely shortened', () => {
    expect(classify({ status: 200, title: '某某县人民政府', text: '首页', previousText: posting, previousTitle: '通知' }, controls, url)).toMatchObject({ reason: 'soft_404' });
    expect(classify({ status: 200, title: '通知', text: '首页', previousText: posting, previousTitle: '通知' }, controls, url).kind).toBe('live');
  });

  it('measures likeness of texts', () => {
    expect(similarity('卫星工厂', '卫星工厂')).toBe(1);
    expect(similarity('卫星工厂用工', '扶贫车间建设')).toBe(0);
  });
});

describe('lifecycle: confirmation over checks', () => {
  const fresh: PageWatch = { reported: null, failReason: null, failCount: 0, failSince: null };
  const gone404 = { kind: 'gone' as const, reason: 'http_404' as const, detail: 'HTTP 404' };
  const ok = { controlsHealthy: true, siteTrouble: false, confirmAfter: 2, at: 't' };

  it('suspects on the first failure, deletes on the second alike, then stays silent', () => {
    const a = step(fresh, gone404, { ...ok, at: 't1' });
    expect(a.happenings.map((h) => h.kind)).toEqual(['suspected_deletion']);
    const b = step(a.watch, gone404, { ...ok, at: 't2' });
    expect(b.happenings).toEqual([{ kind: 'deleted', reason: 'http_404', detail: 'HTTP 404', checks: 2, since: 't1' }]);
    expect(step(b.watch, gone404, ok).happenings).toEqual([]);
    expect(step(b.watch, { kind: 'gone', reason: 'soft_404', detail: 'x' }, ok).happenings).toEqual([]);
  });

  it('a different failure restarts the count; an outage breaks the run', () => {
    const a = step(fresh, gone404, ok);
    const b = step(a.watch, { kind: 'gone', reason: 'redirect_home', detail: 'x' }, ok);
    expect(b.happenings).toEqual([]);
    expect(b.watch.failCount).toBe(1);
    const c = step(a.watch, { kind: 'unreachable', reason: 'http_5xx', detail: 'HTTP 503' }, ok);
    expect(c.watch.failCount).toBe(0);
    const d = step(c.watch, gone404, ok); // after an outage, the count starts again
    expect(d.happenings.map((h) => h.kind)).toEqual(['suspected_deletion']);
    expect(d.watch.failCount).toBe(1);
  });

  it('a short notice that mentions 页面不存在 under its own title is still the notice', () => {
    const notice = { status: 200, title: '关于网站页面不存在问题的说明', text: '近期部分页面不存在，现已修复。', previousTitle: '关于网站页面不存在问题的说明', previousText: '关于网站页面不存在问题的说明\n近期部分页面不存在，现已修复。' };
    expect(classify(notice, controls, url).kind).toBe('live');
  });

  it('never counts a failure made while the controls fail or the site is in trouble', () => {
    for (const ctx of [{ ...ok, controlsHealthy: false }, { ...ok, siteTrouble: true }]) {
      let w = fresh;
      for (let i = 0; i < 5; i++) {
        const s = step(w, gone404, ctx);
        expect(s.happenings).toEqual([]);
        expect(s.counted).toBe(false);
        w = s.watch;
      }
    }
  });

  it('5xx, timeouts and blocks are reported once as unreachable or challenge_failed, never as deletions', () => {
    const a = step(fresh, { kind: 'unreachable', reason: 'timeout', detail: 't' }, ok);
    expect(a.happenings.map((h) => h.kind)).toEqual(['unreachable']);
    expect(step(a.watch, { kind: 'unreachable', reason: 'timeout', detail: 't' }, ok).happenings).toEqual([]);
    expect(step(fresh, { kind: 'blocked', reason: 'http_403', detail: 'x' }, ok).happenings.map((h) => h.kind)).toEqual(['challenge_failed']);
  });

  it('a page that answers again is restored, once', () => {
    const deleted = step(step(fresh, gone404, ok).watch, gone404, ok).watch;
    const r = step(deleted, { kind: 'live' }, ok);
    expect(r.happenings).toEqual([{ kind: 'restored', was: 'deleted' }]);
    expect(step(r.watch, { kind: 'live' }, ok).happenings).toEqual([]);
  });

  it('with --confirm-after 1 the first failure is a deletion', () => {
    expect(step(fresh, gone404, { ...ok, confirmAfter: 1 }).happenings.map((h) => h.kind)).toEqual(['deleted']);
  });
});

describe('site trouble', () => {
  const live = { kind: 'live' as const };
  const soft = { kind: 'gone' as const, reason: 'soft_404' as const, detail: 'x' };
  it('is the controls failing', () => {
    expect(siteTrouble([live], { healthy: false, homeVerdict: { kind: 'unreachable', reason: 'timeout', detail: 't' }, siblingOk: true })).toMatchObject({ kind: 'unreachable' });
    expect(siteTrouble([live], { healthy: false, homeVerdict: { kind: 'blocked', reason: 'http_403', detail: 'x' }, siblingOk: true })).toMatchObject({ kind: 'challenge_failed' });
  });
  it('is most pages failing alike at once, not a few', () => {
    expect(siteTrouble([soft, soft, soft, live], { healthy: true, homeVerdict: live, siblingOk: true })).toMatchObject({ kind: 'unreachable', reason: 'site_wide_soft_404' });
    expect(siteTrouble([soft, live, live, live, live], { healthy: true, homeVerdict: live, siblingOk: true })).toBeUndefined();
  });
});

describe('trivia and diffs', () => {
  it('ignores view counters, generated times and session tokens when comparing', () => {
    expect(comparableText('正文。浏览次数：123 页面生成时间：2026-11-23 12:00:01')).toBe(comparableText('正文。浏览次数：124 页面生成时间：2026-11-24 08:30:00'));
    expect(comparableText('阅读 45 次')).toBe(comparableText('阅读 46 次'));
    expect(comparableText('正文一')).not.toBe(comparableText('正文二'));
    expect(comparableText('下载 ?jsessionid=ABCDEF123456')).toBe(comparableText('下载 ?jsessionid=ZZZZZZ999999'));
  });
  it('diffs Chinese word by word', () => {
    const parts = wordDiff('加强安全生产工作', '加快推进生产工作');
    expect(parts.filter((p) => p.type !== 'same').map((p) => `${p.type}:${p.text}`)).toEqual(['removed:加强安全', 'added:加快推进']);
    expect(changedRuns(parts)).toEqual({ added: ['加快推进'], removed: ['加强安全'] });
  });
  it('makes up a never-existing URL shaped like the postings', () => {
    expect(madeUpUrl('http://a.gov.cn/info/1103/3101.htm')).toMatch(/^http:\/\/a\.gov\.cn\/info\/1103\/9\d{8}\.htm$/);
    expect(madeUpUrl('http://a.gov.cn/Government/PublicInfoShow.aspx?ID=2851')).toMatch(/\?ID=9\d{8}$/);
    expect(madeUpUrl('http://a.gov.cn/news/abc.html')).toMatch(/\/news\/xjwatch-control-9\d{8}\.htm$/);
  });
});
