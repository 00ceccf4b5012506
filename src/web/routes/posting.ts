import type { FastifyInstance } from 'fastify';
import { when } from '../../alerts/render.js';
import { wordDiff } from '../../detect/diff.js';
import { findAttachments } from '../../extract/attachments.js';
import { decodeBody } from '../../extract/decode.js';
import { parseHtml } from '../../extract/html.js';
import { extractLinks, type Link } from '../../extract/links.js';
import { gather } from '../../evidence/gather.js';
import { verdictOf } from '../../evidence/verdict.js';
import { capturePair, capturesOf, type NumberedCapture } from '../../store/captures.js';
import { attachmentsOf, history, hitsWithPlaces, renderingsOf } from '../../store/queries.js';
import { captureById, checksOf, pageById, pageIdOf, timeline, type CheckView } from '../../store/web-reads.js';
import { markedHtml } from '../../text/html-escape.js';
import { diffHtml, listDiff } from '../diff-view.js';
import type { WebContext } from '../context.js';
import { bundlesOf } from '../bundles.js';
import { eventRow } from '../rows.js';

/** The links of a capture's HTML as it was recorded (none for a file or a body that is gone). */
function linksOf(ctx: WebContext, c: { id: number }): Link[] {
  const cap = captureById(ctx.db, c.id);
  if (!cap || !/html|xml/i.test(cap.content_type ?? 'text/html')) return [];
  let body: Buffer;
  try {
    body = ctx.blobs.get(cap.body_sha256);
  } catch {
    return [];
  }
  return extractLinks(parseHtml(decodeBody(body, cap.content_type ?? undefined).text), cap.final_url);
}

/** What the controls made with a check said, in a phrase. */
function controlsOf(k: CheckView): { healthy: boolean | null; text: string } {
  if (!k.controls) return { healthy: null, text: 'no controls' };
  const c = JSON.parse(k.controls) as { healthy?: boolean; home?: string; not_found?: string; sibling?: string };
  return { healthy: c.healthy ?? null, text: [`home ${c.home ?? '—'}`, c.sibling ? `sibling ${c.sibling}` : '', `made-up URL ${c.not_found ?? '—'}`].filter(Boolean).join('; ') };
}

export async function postingRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  app.get<{ Querystring: { url?: string } }>('/page', { schema: { hide: true } }, async (req, reply) => {
    const id = req.query.url ? pageIdOf(ctx.db, req.query.url) : undefined;
    if (!id) return ctx.render(reply.code(404), 'error', { title: 'Not found 未找到', message: `nothing captured for ${req.query.url ?? '(no url given)'}` });
    return reply.redirect(`/page/${id}`);
  });

  app.get<{ Params: { id: string } }>('/page/:id', { schema: { hide: true } }, async (req, reply) => {
    const page = pageById(ctx.db, Number(req.params.id));
    if (!page) return ctx.render(reply.code(404), 'error', { title: 'Not found 未找到', message: `no page ${req.params.id} in this catalogue` });
    const captures = capturesOf(ctx.db, page.url);
    const pictures = renderingsOf(ctx.db, page.url);
    const last = captures[captures.length - 1];
    const gloss = new Map(ctx.terms.map((t) => [t.term, t.gloss]));
    const hits = last ? hitsWithPlaces(ctx.db, last.id).map((h) => ({ ...h, gloss: gloss.get(h.term), snippetHtml: markedHtml(h.snippet, h.term) })) : [];
    const attachments = attachmentsOf(ctx.db, page.url).map((a) => ({
      ...a,
      id: pageIdOf(ctx.db, a.url),
      problems: a.problems ? (JSON.parse(a.problems) as string[]) : [],
      hits: a.capture_id ? hitsWithPlaces(ctx.db, a.capture_id).map((h) => ({ ...h, snippetHtml: markedHtml(h.snippet, h.term) })) : [],
    }));
    const checks = checksOf(ctx.db, page.id).map((k) => ({ ...k, control: controlsOf(k) }));
    const fetches = history(ctx.db, page.url);
    const events = timeline(ctx.db, { pageId: page.id, limit: 200 }).rows.map(eventRow);
    const latest = checks[checks.length - 1];
    // the verdict a bundle of this page would state, from the same evidence and the same rules
    const ev = captures.length ? gather(ctx.db, page.url) : undefined;
    const verdict = ev?.captures.length ? verdictOf(ev) : undefined;
    // a third-party copy is cited as the archive's capture, never as xjwatch's
    const cite = last ? { url: page.url, shanghai: when(last.at, 'Asia/Shanghai'), sha256: last.body_sha256, capture: last.n, archive: last.archive, archivedAt: last.archived_at } : undefined;
    return ctx.render(reply, 'posting', {
      title: page.title ?? page.url,
      nav: 'timeline',
      page,
      captures: captures.map((c) => ({ ...c, pictures: pictures.filter((p) => p.capture_id === c.id && p.what === 'capture'), fetch: fetches.find((f) => f.capture_id === c.id) })),
      present: pictures.filter((p) => p.what === 'present'),
      hits,
      attachments,
      checks,
      latest,
      verdict,
      events,
      cite,
      bundles: bundlesOf(ctx.dataDir, ctx.db, page.id),
      tz: ctx.tz,
      when,
    });
  });

  app.get<{ Params: { id: string }; Querystring: { from?: string; to?: string; view?: string; all?: string } }>('/page/:id/diff', { schema: { hide: true } }, async (req, reply) => {
    const page = pageById(ctx.db, Number(req.params.id));
    if (!page) return ctx.render(reply.code(404), 'error', { title: 'Not found 未找到', message: `no page ${req.params.id} in this catalogue` });
    const all = capturesOf(ctx.db, page.url);
    if (all.length === 0) return ctx.render(reply.code(404), 'error', { title: 'Not found 未找到', message: `nothing captured for ${page.url}` });
    const pair = capturePair(all, req.query);
    if ('bad' in pair) throw Object.assign(new Error(`no capture "${pair.ref}" of this page (it has ${all.length})`), { statusCode: 400 });
    const { from, to } = pair;
    const parts = wordDiff(from.text ?? '', to.text ?? '');
    const changesOnly = req.query.all !== '1';
    const text = diffHtml(parts, { changesOnly });
    const links = listDiff(linksOf(ctx, from), linksOf(ctx, to));
    const files = listDiff(findAttachments(linksOf(ctx, from)), findAttachments(linksOf(ctx, to)));
    const pictures = renderingsOf(ctx.db, page.url).filter((p) => p.what === 'capture' && p.png_sha256);
    const picOf = (c: NumberedCapture) => pictures.filter((p) => p.capture_id === c.id).pop();
    return ctx.render(reply, 'diff', {
      title: `Diff 对比 — ${page.title ?? page.url}`,
      nav: 'timeline',
      page,
      all,
      from: { ...from, picture: picOf(from) },
      to: { ...to, picture: picOf(to) },
      side: req.query.view === 'side',
      changesOnly,
      text,
      links: { added: links.added.filter((l) => !files.added.some((f) => f.url === l.url)), removed: links.removed.filter((l) => !files.removed.some((f) => f.url === l.url)) },
      files,
    });
  });
}
