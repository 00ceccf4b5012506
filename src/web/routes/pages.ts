import type { FastifyInstance } from 'fastify';
import { catalogueCounts, pagesReported, postingsOfSite, siteIds, timeline } from '../../store/web-reads.js';
import { markedHtml } from '../../text/html-escape.js';
import type { WebContext } from '../context.js';
import { KIND_LABELS } from '../event-line.js';
import { eventRow, health, PAGE_SIZE, timelineFilter } from '../rows.js';
import { searchCatalogue } from '../search.js';

export async function pageRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  app.get('/', { schema: { hide: true } }, async (req, reply) => {
    const report = ctx.status();
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
    const sites = siteIds(ctx.db);
    return ctx.render(reply, 'timeline', { title: 'Timeline 时间线', nav: 'timeline', rows, q: req.query, kinds: KIND_LABELS, sites, terms: ctx.terms, next });
  });

  app.get<{ Params: { id: string }; Querystring: { offset?: string } }>('/site/:id', { schema: { hide: true } }, async (req, reply) => {
    const site = ctx.status().sites.find((s) => s.id === req.params.id);
    if (!site) return ctx.render(reply.code(404), 'error', { title: 'Not found 未找到', message: `no site "${req.params.id}" in this catalogue` });
    const offset = Math.max(0, Number(req.query.offset) || 0);
    const postings = postingsOfSite(ctx.db, site.id, PAGE_SIZE + 1, offset);
    return ctx.render(reply, 'site', { title: `${site.name}`, nav: 'overview', site, health, postings: postings.slice(0, PAGE_SIZE), offset, more: postings.length > PAGE_SIZE, size: PAGE_SIZE });
  });

  app.get<{ Querystring: { q?: string; site?: string; page?: string } }>('/search', { schema: { hide: true } }, async (req, reply) => {
    const pageNo = Math.max(1, Number(req.query.page) || 1);
    const found = req.query.q?.trim() ? searchCatalogue(ctx.db, req.query.q, { site: req.query.site || undefined, page: pageNo, size: PAGE_SIZE }) : undefined;
    const sites = siteIds(ctx.db);
    return ctx.render(reply, 'search', { title: 'Search 搜索', nav: 'search', marked: markedHtml, q: req.query.q ?? '', site: req.query.site ?? '', sites, found, pageNo });
  });

  app.get('/status', { schema: { hide: true } }, async (req, reply) => {
    const report = ctx.status();
    return ctx.render(reply, 'status', { title: 'Status 状态', nav: 'status', report, health });
  });

}
