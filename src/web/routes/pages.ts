import type { FastifyInstance } from 'fastify';
import type { XjEvent } from '../../detect/events.js';
import { statusReport } from '../../schedule/status-report.js';
import { catalogueCounts, pagesReported, postingsOfSite, timeline } from '../../store/web-reads.js';
import type { WebContext } from '../server.js';
import { eventLine, eventTitle, KIND_LABELS } from '../event-line.js';
import { searchCatalogue } from '../search.js';
import { postingRoutes } from './posting.js';

export const PAGE_SIZE = 50;

/** A site's health in a word, from what its last run and the open reports say. */
export function health(s: { trouble: string | null; last_run: { status: string } | null; suspected: number }): { word: string; css: string } {
  if (s.trouble === 'challenge_failed') return { word: 'blocked 被拦截', css: 'health-bad' };
  if (s.trouble) return { word: `${s.trouble.replace('_', ' ')} 异常`, css: 'health-bad' };
  if (!s.last_run) return { word: 'never run 未运行', css: 'health-quiet' };
  if (s.last_run.status !== 'ok') return { word: `last run ${s.last_run.status}`, css: 'health-bad' };
  return { word: 'ok 正常', css: 'health-ok' };
}

/** The timeline's filters from a query string; a bad value is a 400 that names it. */
export function timelineFilter(q: Record<string, string | undefined>, terms: WebContext['terms']) {
  const bad = (what: string) => Object.assign(new Error(what), { statusCode: 400 });
  if (q.kind && !(q.kind in KIND_LABELS)) throw bad(`unknown event kind "${q.kind}"`);
  const day = (v: string | undefined, name: string, next = false) => {
    if (!v) return undefined;
    const d = new Date(v);
    if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime())) throw bad(`${name} "${v}" is not a date (YYYY-MM-DD)`);
    if (next && /^\d{4}-\d{2}-\d{2}$/.test(v)) d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString();
  };
  const before = q.before ? Number(q.before) : undefined;
  if (before !== undefined && !(Number.isInteger(before) && before > 0)) throw bad(`before "${q.before}" is not an event id`);
  // a term, or a tag of the term list: every term that carries it
  const want = q.term?.trim();
  const byTag = want ? terms.filter((t) => t.tags.includes(want)).map((t) => t.term) : [];
  return {
    site: q.site || undefined,
    kind: q.kind || undefined,
    terms: want ? (byTag.length ? byTag : [want]) : undefined,
    since: day(q.since, 'since'),
    until: day(q.until, 'until', true),
    attachment: q.attachment === '1' || q.attachment === 'true',
    before,
    limit: PAGE_SIZE,
  };
}

/** An event as a row of the timeline. */
export function eventRow(r: { id: number; page_id: number | null; body: string }) {
  const e = JSON.parse(r.body) as XjEvent;
  return { id: r.id, page_id: r.page_id, e, label: KIND_LABELS[e.kind], line: eventLine(e), title: eventTitle(e) };
}

export async function pageRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  app.get('/', { schema: { hide: true } }, async (req, reply) => {
    const report = statusReport(ctx.dataDir, ctx.db, ctx.settings);
    const recent = timeline(ctx.db, { limit: 12 }).rows.map(eventRow);
    const suspected = pagesReported(ctx.db, 'suspected_deletion', 50);
    const deleted = pagesReported(ctx.db, 'deleted', 50);
    return ctx.render(reply, 'overview', { title: 'Overview 概览', nav: 'overview', report, counts: catalogueCounts(ctx.db), recent, suspected, deleted, health, tz: ctx.tz });
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/timeline', { schema: { hide: true } }, async (req, reply) => {
    const f = timelineFilter(req.query, ctx.terms);
    const page = timeline(ctx.db, f);
    const rows = page.rows.map(eventRow);
    const next = page.more ? new URLSearchParams({ ...Object.fromEntries(Object.entries(req.query).filter(([, v]) => v) as [string, string][]), before: String(rows[rows.length - 1]!.id) }).toString() : null;
    const sites = statusReport(ctx.dataDir, ctx.db, ctx.settings).sites.map((s) => s.id);
    return ctx.render(reply, 'timeline', { title: 'Timeline 时间线', nav: 'timeline', rows, q: req.query, kinds: KIND_LABELS, sites, terms: ctx.terms, next });
  });

  app.get<{ Params: { id: string }; Querystring: { offset?: string } }>('/site/:id', { schema: { hide: true } }, async (req, reply) => {
    const site = statusReport(ctx.dataDir, ctx.db, ctx.settings).sites.find((s) => s.id === req.params.id);
    if (!site) return ctx.render(reply.code(404), 'error', { title: 'Not found 未找到', message: `no site "${req.params.id}" in this catalogue` });
    const offset = Math.max(0, Number(req.query.offset) || 0);
    const postings = postingsOfSite(ctx.db, site.id, PAGE_SIZE + 1, offset);
    return ctx.render(reply, 'site', { title: `${site.name}`, nav: 'overview', site, health, postings: postings.slice(0, PAGE_SIZE), offset, more: postings.length > PAGE_SIZE, size: PAGE_SIZE });
  });

  app.get<{ Querystring: { q?: string; site?: string; page?: string } }>('/search', { schema: { hide: true } }, async (req, reply) => {
    const pageNo = Math.max(1, Number(req.query.page) || 1);
    const found = req.query.q?.trim() ? searchCatalogue(ctx.db, req.query.q, { site: req.query.site || undefined, page: pageNo, size: PAGE_SIZE }) : undefined;
    const sites = statusReport(ctx.dataDir, ctx.db, ctx.settings).sites.map((s) => s.id);
    return ctx.render(reply, 'search', { title: 'Search 搜索', nav: 'search', q: req.query.q ?? '', site: req.query.site ?? '', sites, found, pageNo });
  });

  app.get('/status', { schema: { hide: true } }, async (req, reply) => {
    const report = statusReport(ctx.dataDir, ctx.db, ctx.settings);
    return ctx.render(reply, 'status', { title: 'Status 状态', nav: 'status', report, health });
  });

  await postingRoutes(app, ctx);
}
