import type { FastifyInstance } from 'fastify';
import { wordDiff } from '../../detect/diff.js';
import { capturePair, capturesOf } from '../../store/captures.js';
import { attachmentsOf, hitsWithPlaces, renderingsOf } from '../../store/queries.js';
import { checksOf, pageById, pageIdOf, timeline } from '../../store/web-reads.js';
import { bundlesOf } from '../bundles.js';
import { searchCatalogue } from '../search.js';
import type { WebContext } from '../context.js';
import { bundleReport, proveInView } from './evidence.js';
import { eventRow, PAGE_SIZE, timelineFilter } from '../rows.js';

// Responses are described loosely (objects whose fields the README lists): the view's JSON is the
// catalogue's own rows and events, whose contract is DESIGN.md's, not a second one here.
const anyObject = { type: 'object', additionalProperties: true } as const;
const ok = (description: string) => ({ 200: { description, ...anyObject }, '4xx': { description: 'what was wrong with the request', type: 'object', properties: { error: { type: 'string' } } } });
const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1, description: 'the page id (as in /page/{id})' } } } as const;
const str = (description: string) => ({ type: 'string', description }) as const;

export async function apiRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  const notFound = (what: string) => Object.assign(new Error(what), { statusCode: 404 });
  const pageOr404 = (id: number) => pageById(ctx.db, id) ?? (() => { throw notFound(`no page ${id} in this catalogue`); })();

  app.get('/status', { schema: { summary: 'the watcher, every site (last and next run, due pages, suspicions, trouble), the outbox, open operator problems, the disk', tags: ['sites'], response: ok('the status report') } }, async () =>
    ctx.status(),
  );

  app.get('/sites', { schema: { summary: 'every site with its last run, next run and health', tags: ['sites'], response: ok('{sites: [...]}') } }, async () => ({ sites: ctx.status().sites }));

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/events',
    {
      schema: {
        summary: `events newest first, ${PAGE_SIZE} at a time; next_before pages on`,
        tags: ['events'],
        querystring: { type: 'object', properties: { site: str('site id'), kind: str('event kind'), term: str('a term, or a tag of the term list'), since: str('YYYY-MM-DD'), until: str('YYYY-MM-DD (inclusive)'), attachment: str('1: only events about attachments'), before: str('event id: the page after the one that ended there') } },
        response: ok('{events: [...], next_before}'),
      },
    },
    async (req) => {
      const page = timeline(ctx.db, timelineFilter(req.query, ctx.terms));
      const events = page.rows.map(eventRow).map((r) => ({ id: r.id, page_id: r.page_id, line: r.line, ...r.e }));
      return { events, next_before: page.more ? events[events.length - 1]!.id : null };
    },
  );

  app.get<{ Querystring: { url: string } }>('/pages', { schema: { summary: 'the page id of a URL', tags: ['pages'], querystring: { type: 'object', required: ['url'], properties: { url: str('the page URL') } }, response: ok('{id, url}') } }, async (req) => {
    const id = pageIdOf(ctx.db, req.query.url);
    if (!id) throw notFound(`nothing captured for ${req.query.url}`);
    return { id, url: req.query.url };
  });

  app.get<{ Params: { id: number } }>('/pages/:id', { schema: { summary: 'a page: its state, terms with places, attachments, checks', tags: ['pages'], params: idParam, response: ok('the page') } }, async (req) => {
    const page = pageOr404(req.params.id);
    const caps = capturesOf(ctx.db, page.url);
    const last = caps[caps.length - 1];
    return {
      page,
      terms: last ? hitsWithPlaces(ctx.db, last.id) : [],
      attachments: attachmentsOf(ctx.db, page.url).map((a) => ({ url: a.url, name: a.title, sha256: a.sha256, problems: a.problems ? (JSON.parse(a.problems) as string[]) : [], terms: a.capture_id ? hitsWithPlaces(ctx.db, a.capture_id) : [] })),
      checks: checksOf(ctx.db, page.id).map((k) => ({ ...k, controls: k.controls ? (JSON.parse(k.controls) as unknown) : null, counted: Boolean(k.counted) })),
    };
  });

  app.get<{ Params: { id: number } }>('/pages/:id/captures', { schema: { summary: "a page's captures, oldest first, numbered as history numbers them, with their pictures", tags: ['pages'], params: idParam, response: ok('{captures: [...]}') } }, async (req) => {
    const page = pageOr404(req.params.id);
    const pictures = renderingsOf(ctx.db, page.url);
    return {
      captures: capturesOf(ctx.db, page.url).map((c) => ({ n: c.n, id: c.id, at: c.at, sha256: c.body_sha256, status: c.status, title: c.title, replay: `/capture/${c.id}`, pictures: pictures.filter((p) => p.capture_id === c.id), ...(c.archive ? { third_party: { archive: c.archive, archived_at: c.archived_at } } : {}) })),
    };
  });

  app.get<{ Params: { id: number }; Querystring: { from?: string; to?: string } }>(
    '/pages/:id/diff',
    { schema: { summary: 'the word diff of two captures (default: the last two)', tags: ['pages'], params: idParam, querystring: { type: 'object', properties: { from: str('capture number or SHA-256 prefix'), to: str('capture number or SHA-256 prefix') } }, response: ok('{from, to, changed, parts}') } },
    async (req) => {
      const page = pageOr404(req.params.id);
      const all = capturesOf(ctx.db, page.url);
      if (!all.length) throw notFound(`nothing captured for ${page.url}`);
      const pair = capturePair(all, req.query);
      if ('bad' in pair) throw Object.assign(new Error(`no capture "${pair.ref}" of this page`), { statusCode: 400 });
      const { from, to } = pair;
      const parts = wordDiff(from.text ?? '', to.text ?? '');
      const side = (c: typeof from) => ({ capture: c.n, at: c.at, sha256: c.body_sha256, title: c.title });
      return { url: page.url, from: side(from), to: side(to), changed: parts.some((p) => p.type !== 'same'), parts };
    },
  );

  app.get<{ Querystring: { q: string; site?: string; page?: number } }>(
    '/search',
    { schema: { summary: 'full-text search over everything captured', tags: ['search'], querystring: { type: 'object', required: ['q'], properties: { q: str('text (normalised as terms are)'), site: str('site id'), page: { type: 'integer', minimum: 1, default: 1 } } }, response: ok('{results: [...], more}') } },
    async (req) => {
      const r = searchCatalogue(ctx.db, req.query.q, { site: req.query.site, page: req.query.page ?? 1, size: PAGE_SIZE });
      return { query: r.query, more: r.more, results: r.found.map(({ row, snippet, place }) => ({ url: row.url, page_id: pageIdOf(ctx.db, row.url), site: row.site_id, kind: row.kind, title: row.title, published: row.published, captured_at: row.at, sha256: row.sha256, snippet, place: place ?? null, attached_to: row.parent_url })) };
    },
  );

  app.get<{ Querystring: { page?: number } }>('/bundles', { schema: { summary: 'evidence bundles made (from the view or `xjwatch prove`, on any machine of the team), newest first', tags: ['evidence'], querystring: { type: 'object', properties: { page: { type: 'integer', minimum: 1 } } }, response: ok('{bundles: [...]}') } }, async (req) => ({
    bundles: bundlesOf(ctx.dataDir, ctx.db, req.query.page),
  }));

  app.get<{ Params: { name: string } }>('/bundles/:name', { schema: { summary: "a bundle's pages and verdicts, and what verifying it now finds", tags: ['evidence'], params: { type: 'object', required: ['name'], properties: { name: str('bundle name') } }, response: ok('{pages, verification}') } }, async (req) => {
    const b = await bundleReport(ctx, req.params.name);
    if (!b) throw notFound(`no bundle "${req.params.name}"`);
    return { name: req.params.name, made_at: b.madeAt, pages: b.pages, verification: b.verification, download: b.zip ? `/bundle/${encodeURIComponent(req.params.name)}/download` : null };
  });

  app.post<{ Params: { id: number } }>('/pages/:id/bundle', { schema: { summary: 'build an evidence bundle of the page (xjwatch prove); needs the X-CSRF-Token of the view or a JSON body from this origin', tags: ['evidence'], params: idParam, response: ok('{name, pages, stamps}') } }, async (req) => {
    const page = pageOr404(req.params.id);
    const r = await proveInView(ctx, page);
    const name = r.dir.split('/').pop()!;
    return { name, view: `/bundle/${name}`, download: `/bundle/${name}/download`, pages: r.pages.map((p) => ({ url: p.url, verdict: p.verdict.name, headline: p.verdict.headline })), stamps: r.stamps };
  });
}
