import { describe, expect, it } from 'vitest';
import { changedEvent, delistedEvent, happeningEvent, siteRestoredEvent, siteTroubleEvent, type HappeningFacts } from '../../src/detect/check-events.js';
import type { ControlsSummary } from '../../src/detect/events.js';
import { siteBroken } from '../../src/detect/site-broken.js';

const url = 'http://a.gov.cn/info/1103/3101.htm';
const at = '2026-12-01T10:00:00.000Z';
const page = { url, title: '关于转移就业的通知', last_checked_at: '2026-11-30T08:00:00.000Z' };
const last = { body_sha256: 'aaa', text: '各乡镇 要做好 卫星工厂 用工对接', at: '2026-11-29T08:00:00.000Z' };
const controls: ControlsSummary = { healthy: true, home: 'http://a.gov.cn/: HTTP 200', sibling: 'x: answered normally', not_found: 'y: HTTP 404' };
const hit = (term: string, count = 1) => ({ term, count, snippet: `…${term}…`, source: 'page' });

describe('changedEvent', () => {
  it('names the words and terms that came and went, and both captures', () => {
    const e = changedEvent({
      site: 'a',
      page,
      last,
      lastTerms: ['卫星工厂'],
      read: { capture: { bodySha256: 'bbb', text: '各乡镇 要做好 职业技能培训 用工对接' }, hits: [hit('职业技能培训', 2)], title: '' },
      at,
    });
    expect(e).toEqual({
      kind: 'changed',
      site: 'a',
      url,
      title: '关于转移就业的通知',
      added: ['职业技能培训'],
      removed: ['卫星工厂'],
      terms_appeared: ['职业技能培训'],
      terms_vanished: ['卫星工厂'],
      terms: [{ term: '职业技能培训', count: 2, snippet: '…职业技能培训…' }],
      capture: 'sha256:bbb',
      previous_capture: 'sha256:aaa',
      previous_at: last.at,
      at,
    });
  });

  it('takes the live title over the stored one', () => {
    const e = changedEvent({ site: 'a', page, last, lastTerms: [], read: { capture: { bodySha256: 'b', text: 'x' }, hits: [], title: '新标题' }, at });
    expect(e.title).toBe('新标题');
  });
});

describe('happeningEvent', () => {
  const facts: HappeningFacts = { site: 'a', page, verdict: { kind: 'gone', reason: 'http_404', detail: 'HTTP 404' }, status: 404, read: undefined, last, controls, at };

  it('a suspected deletion is its first failing check', () => {
    const e = happeningEvent({ kind: 'suspected_deletion', reason: 'http_404', detail: 'HTTP 404' }, facts);
    expect(e).toEqual({
      site: 'a',
      url,
      at,
      kind: 'suspected_deletion',
      title: page.title,
      reason: 'http_404',
      detail: 'HTTP 404',
      checks: 1,
      failing_since: at,
      last_seen: last.at,
      last_capture: 'sha256:aaa',
      status: 404,
      controls,
    });
  });

  it('a deletion counts its checks since the first failure; without a capture, last seen is the last check', () => {
    const e = happeningEvent({ kind: 'deleted', reason: 'soft_404', detail: 'd', checks: 3, since: '2026-11-28T00:00:00.000Z' }, { ...facts, last: undefined, status: undefined });
    expect(e).toMatchObject({ kind: 'deleted', checks: 3, failing_since: '2026-11-28T00:00:00.000Z', last_seen: page.last_checked_at, last_capture: '', status: null });
  });

  it('a restored page compares its text with the last capture', () => {
    const same = happeningEvent({ kind: 'restored', was: 'deleted' }, { ...facts, verdict: { kind: 'live' }, read: { capture: { bodySha256: 'ccc', text: last.text }, hits: [], title: '' } });
    expect(same).toEqual({ site: 'a', url, at, kind: 'restored', title: page.title, scope: 'page', was: 'deleted', same_text: true, capture: 'sha256:ccc' });
    const other = happeningEvent({ kind: 'restored', was: 'deleted' }, { ...facts, verdict: { kind: 'live' }, read: { capture: { bodySha256: 'ccc', text: 'other' }, hits: [], title: 'T' } });
    expect(other).toMatchObject({ title: 'T', same_text: false });
  });

  it('a 304 is the same text; without a read the last capture is named', () => {
    const e = happeningEvent({ kind: 'restored', was: 'unreachable' }, { ...facts, verdict: { kind: 'not_modified' } });
    expect(e).toMatchObject({ same_text: true, capture: 'sha256:aaa' });
    const none = happeningEvent({ kind: 'restored', was: 'unreachable' }, { ...facts, verdict: { kind: 'live' }, last: undefined });
    expect(none).toMatchObject({ same_text: null, capture: null });
  });

  it('page trouble keeps its reason and detail', () => {
    const e = happeningEvent({ kind: 'challenge_failed', reason: 'challenge', detail: 'a slider' }, facts);
    expect(e).toEqual({ site: 'a', url, at, kind: 'challenge_failed', scope: 'page', reason: 'challenge', detail: 'a slider' });
  });
});

describe('site and list events', () => {
  const site = { id: 'a', home: 'http://a.gov.cn/', name: '某县人民政府' };

  it('delisted names the list and the last capture', () => {
    expect(delistedEvent({ site: 'a', url, title: null, list: 'http://a.gov.cn/list.htm', lastListedAt: last.at, last: { body_sha256: 'aaa' }, at })).toEqual({
      kind: 'delisted',
      site: 'a',
      url,
      title: '',
      list: 'http://a.gov.cn/list.htm',
      last_listed_at: last.at,
      capture: 'sha256:aaa',
      at,
    });
    expect(delistedEvent({ site: 'a', url, title: 't', list: 'l', lastListedAt: last.at, last: undefined, at }).capture).toBe('');
  });

  it('site trouble and its end are reported at the home page', () => {
    expect(siteTroubleEvent(site, { kind: 'unreachable', reason: 'dns', detail: 'no address' }, at)).toEqual({ kind: 'unreachable', site: 'a', url: site.home, scope: 'site', reason: 'dns', detail: 'no address', at });
    expect(siteRestoredEvent(site, 'challenge_failed', at)).toEqual({ kind: 'restored', site: 'a', url: site.home, title: site.name, scope: 'site', was: 'challenge_failed', same_text: null, capture: null, at });
  });
});

describe('siteBroken', () => {
  const list = 'http://a.gov.cn/list.htm';

  it('a list that yielded links before and yields none now is broken', () => {
    expect(siteBroken('a', list, { lastYieldedAt: last.at, reportedSince: false }, at)).toEqual({
      kind: 'site_broken',
      site: 'a',
      url: list,
      reason: 'no_links',
      detail: `the list page yields no posting links (last yielded some at ${last.at})`,
      at,
    });
  });

  it('a list that never yielded links is not: there is no layout it broke from', () => {
    expect(siteBroken('a', list, { lastYieldedAt: null, reportedSince: false }, at)).toBeUndefined();
  });

  it('is reported once until the list yields links again', () => {
    expect(siteBroken('a', list, { lastYieldedAt: last.at, reportedSince: true }, at)).toBeUndefined();
  });
});
