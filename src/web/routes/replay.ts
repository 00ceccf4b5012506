import type { FastifyInstance, FastifyReply } from 'fastify';
import { when } from '../../alerts/render.js';
import { decodeBody } from '../../extract/decode.js';
import { requisitesOf } from '../../store/renderings.js';
import { captureById, isRendering, pageById } from '../../store/web-reads.js';
import { inertCss, inertPage } from '../replay-html.js';
import type { WebContext } from '../context.js';

/**
 * What a replayed page may do: show itself, with the recorded requisites the view serves, and
 * nothing else — no script, no form, no frame, no request to any other address. `sandbox` gives
 * it an origin of its own, so that even a script that got through could not read the view.
 */
const replayCsp = (origin: string) =>
  `default-src 'none'; img-src ${origin} data:; style-src ${origin} 'unsafe-inline'; font-src ${origin} data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox`;

/** A requisite the replay may show: recorded whole, with a success status (a 404 page is no picture). */
const served = (r: { body_sha256: string | null; status: number | null; truncated?: string | null }) => Boolean(r.body_sha256) && r.status !== null && r.status >= 200 && r.status < 300 && !r.truncated;

const originOf = (host: string | undefined) => `http://${host ?? '127.0.0.1'}`;

function bodyOf(ctx: WebContext, sha: string): Buffer | undefined {
  try {
    return ctx.blobs.get(sha);
  } catch {
    return undefined;
  }
}

function gone(reply: FastifyReply, what: string) {
  return reply.code(404).type('text/plain; charset=utf-8').send(what);
}

export async function replayRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  // the frame and what it says it shows
  app.get<{ Params: { id: string } }>('/capture/:id', { schema: { hide: true } }, async (req, reply) => {
    const cap = captureById(ctx.db, Number(req.params.id));
    if (!cap) return ctx.render(reply.code(404), 'error', { title: 'Not found 未找到', message: `no capture ${req.params.id} in this catalogue` });
    const page = pageById(ctx.db, cap.page_id)!;
    const requisites = requisitesOf(ctx.db, cap.id);
    return ctx.render(reply, 'replay', { title: `Replay 回放 — ${page.title ?? page.url}`, nav: 'timeline', cap, page, requisites, shanghai: when(cap.at, 'Asia/Shanghai') });
  });

  // the capture itself, inert, for the sandboxed frame only
  app.get<{ Params: { id: string } }>('/capture/:id/raw', { schema: { hide: true } }, async (req, reply) => {
    const cap = captureById(ctx.db, Number(req.params.id));
    const body = cap && bodyOf(ctx, cap.body_sha256);
    if (!cap || !body) return gone(reply, 'this capture or its body is not in the data directory');
    reply.header('Content-Security-Policy', replayCsp(originOf(req.headers.host)));
    if (!/html|xml/i.test(cap.content_type ?? 'text/html')) {
      // a file: shown as text only if it is text, else offered as what it is, never run
      return reply.type('text/plain; charset=utf-8').send(`${cap.content_type ?? 'unknown type'}, ${cap.body_size} bytes, sha256:${cap.body_sha256}: not a page; the file is in the evidence bundle and the WARC`);
    }
    const recorded = new Set(requisitesOf(ctx.db, cap.id).filter(served).map((r) => r.url));
    const html = decodeBody(body, cap.content_type ?? undefined).text;
    return reply.type('text/html; charset=utf-8').send(inertPage(html, cap.final_url, recorded, (u) => `/capture/${cap.id}/requisite?url=${encodeURIComponent(u)}`));
  });

  // a requisite recorded with the capture (and only those)
  app.get<{ Params: { id: string }; Querystring: { url?: string } }>('/capture/:id/requisite', { schema: { hide: true } }, async (req, reply) => {
    const id = Number(req.params.id);
    const all = requisitesOf(ctx.db, id);
    const r = all.find((x) => x.url === req.query.url);
    const body = r?.body_sha256 ? bodyOf(ctx, r.body_sha256) : undefined;
    if (!r || !body || !served(r)) return gone(reply, 'not recorded with this capture');
    reply.header('Content-Security-Policy', replayCsp(originOf(req.headers.host)));
    const type = (r.content_type ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
    if (type === 'text/css') {
      const recorded = new Set(all.filter(served).map((x) => x.url));
      const css = decodeBody(body, r.content_type ?? undefined).text;
      return reply.type('text/css; charset=utf-8').send(inertCss(css, r.url, recorded, (u) => `/capture/${id}/requisite?url=${encodeURIComponent(u)}`));
    }
    // pictures and fonts only: anything else a page pulled in is not served to a browser
    if (!/^(image\/(png|jpeg|gif|webp|bmp|x-icon|vnd\.microsoft\.icon)|font\/|application\/(font|x-font))/.test(type)) return gone(reply, `a ${type} requisite is kept as evidence but not served to the browser`);
    return reply.type(type).send(body);
  });

  // the catalogue's screenshots and PDF prints (only blobs that are pictures)
  app.get<{ Params: { sha: string } }>('/picture/:sha', { schema: { hide: true } }, async (req, reply) => {
    const m = /^([0-9a-f]{64})\.(png|pdf)$/.exec(req.params.sha);
    if (!m || !isRendering(ctx.db, m[1]!, m[2] as 'png' | 'pdf')) return gone(reply, 'not a picture in this catalogue');
    const body = bodyOf(ctx, m[1]!);
    if (!body) return gone(reply, 'the picture is not in the data directory');
    if (m[2] === 'pdf') reply.header('Content-Disposition', `attachment; filename="${m[1]!.slice(0, 16)}.pdf"`);
    return reply.type(m[2] === 'png' ? 'image/png' : 'application/pdf').send(body);
  });
}
