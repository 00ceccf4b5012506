import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { when } from '../../alerts/render.js';
import { verifyBundle, type BundleVerification } from '../../evidence/bundle-verify.js';
import { prove } from '../../evidence/prove.js';
import { openZipBundle } from '../../evidence/bundle-zip.js';
import { keptBundle } from '../../store/bundle-records.js';
import { pageById } from '../../store/web-reads.js';
import { BUNDLE_NAME, bundleName, bundlesDir } from '../bundles.js';
import type { WebContext } from '../context.js';

interface ManifestPage {
  url: string;
  title: string | null;
  verdict: string;
  headline: string;
  captures: { at: string; sha256: string }[];
}

/** What a bundle's own files say of it, and what verifying it now finds. */
export interface BundleReport {
  madeAt: string;
  pages: ManifestPage[];
  verification: BundleVerification;
  /** its .zip on this machine (the folder's, or the kept blob fetched from the team's store) */
  zip: string | null;
  /** the folder's captures.wacz, when the bundle was made here */
  wacz: string | null;
}

const MAX_MANIFEST = 64 << 20;

/**
 * A bundle by name: this data directory's folder when it has it, else the .zip the catalogue
 * keeps (made on another machine of the team, or its folder removed), verified as it is.
 */
export async function bundleReport(ctx: WebContext, name: string): Promise<BundleReport | undefined> {
  const dir = BUNDLE_NAME.test(name) ? join(bundlesDir(ctx.dataDir), name) : undefined;
  if (dir && existsSync(join(dir, 'manifest.json'))) {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { made_at: string; pages: ManifestPage[] };
    const wacz = join(dir, 'captures.wacz');
    return { zip: existsSync(`${dir}.zip`) ? `${dir}.zip` : null, wacz: existsSync(wacz) ? wacz : null, madeAt: manifest.made_at, pages: manifest.pages, verification: await verifyBundle(dir) };
  }
  const zip = keptZip(ctx, name);
  if (!zip) return undefined;
  const opened = await openZipBundle(zip);
  if ('refused' in opened) return { zip, wacz: null, madeAt: keptBundle(ctx.db, name)!.made_at, pages: [], verification: { problems: [{ path: `${name}.zip`, problem: opened.refused }], notes: [], files: 0, records: 0, stamps: [] } };
  const read = await opened.source.read('manifest.json', MAX_MANIFEST);
  // a damaged manifest shows no pages; verifying names what is wrong with it
  const manifest = manifestOf(read.bytes) ?? { made_at: keptBundle(ctx.db, name)!.made_at, pages: [] };
  return { zip, wacz: null, madeAt: manifest.made_at, pages: manifest.pages, verification: await verifyBundle(opened.source) };
}

function manifestOf(bytes: Buffer | undefined): { made_at: string; pages: ManifestPage[] } | undefined {
  if (!bytes) return undefined;
  try {
    const m = JSON.parse(bytes.toString('utf8')) as { made_at?: unknown; pages?: unknown };
    return typeof m.made_at === 'string' && Array.isArray(m.pages) ? { made_at: m.made_at, pages: m.pages as ManifestPage[] } : undefined;
  } catch {
    return undefined;
  }
}

/** The kept .zip of the catalogue's bundle of that name, on this machine. */
function keptZip(ctx: WebContext, name: string): string | undefined {
  const kept = keptBundle(ctx.db, name);
  const path = kept ? ctx.blobs.localPath(kept.zip_sha256) : undefined;
  // neither here nor in the team's store (verify names it): nothing to show or serve
  return path && existsSync(path) ? path : undefined;
}

/** The bundle's .zip to download: the folder's, or the one the catalogue keeps. */
function bundleZip(ctx: WebContext, name: string): string | undefined {
  const own = BUNDLE_NAME.test(name) ? join(bundlesDir(ctx.dataDir), `${name}.zip`) : undefined;
  return own && existsSync(own) ? own : keptZip(ctx, name);
}

/** A file name for the download header: the bundle's name with anything unusual replaced. */
const fileName = (name: string) => name.replace(/[^\w.-]/g, '_');

// one bundle at a time, from the form and the API alike: each reads many blobs and asks the
// time-stamp authorities, and its name is chosen when its turn comes (bundles.ts)
let building: Promise<unknown> = Promise.resolve();

/** `prove` of one page into the data directory's bundles/, in its turn. */
export function proveInView(ctx: WebContext, page: { id: number; url: string }): ReturnType<typeof prove> {
  mkdirSync(bundlesDir(ctx.dataDir), { recursive: true });
  const made = building.then(() => prove({ dataDir: ctx.dataDir, db: ctx.db, urls: [page.url], out: join(bundlesDir(ctx.dataDir), bundleName(ctx.dataDir, ctx.db, page.id)), terms: ctx.terms, tsas: ctx.settings.timestamps }));
  building = made.catch(() => undefined);
  return made;
}

/** Building a bundle from the view, and what it holds: the same `prove` and `verify` as the command line. */
export async function evidenceRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  app.post<{ Params: { id: string } }>('/page/:id/prove', { schema: { hide: true } }, async (req, reply) => {
    const page = pageById(ctx.db, Number(req.params.id));
    if (!page) return ctx.render(reply.code(404), 'error', { title: 'Not found 未找到', message: `no page ${req.params.id} in this catalogue` });
    const r = await proveInView(ctx, page);
    return reply.redirect(`/bundle/${r.dir.split('/').pop()}`, 303);
  });

  app.get<{ Params: { name: string } }>('/bundle/:name', { schema: { hide: true } }, async (req, reply) => {
    const b = await bundleReport(ctx, req.params.name);
    if (!b) return ctx.render(reply.code(404), 'error', { title: 'Not found 未找到', message: `no bundle "${req.params.name}" in this catalogue` });
    const stamp = b.verification.stamps.find((s) => s.ok);
    const last = b.pages[0]?.captures?.at(-1);
    const cite = b.pages[0] && last ? { url: b.pages[0].url, shanghai: when(last.at, 'Asia/Shanghai'), sha256: last.sha256, tsa: stamp?.genTime ?? null } : undefined;
    const at = `/bundle/${encodeURIComponent(req.params.name)}`;
    return ctx.render(reply, 'bundle', { title: `Evidence 证据 — ${req.params.name}`, nav: 'timeline', name: req.params.name, b, cite, download: b.zip ? `${at}/download` : null, wacz: b.wacz ? `${at}/wacz` : null });
  });

  // the captures as WACZ, for replayweb.page (https://replayweb.page opens a file from disk, offline once loaded)
  app.get<{ Params: { name: string } }>('/bundle/:name/wacz', { schema: { hide: true } }, async (req, reply) => {
    const file = BUNDLE_NAME.test(req.params.name) ? join(bundlesDir(ctx.dataDir), req.params.name, 'captures.wacz') : '';
    if (!file || !existsSync(file)) return reply.code(404).type('text/plain; charset=utf-8').send('no WACZ in this bundle');
    reply.header('Content-Disposition', `attachment; filename="${fileName(req.params.name)}.wacz"`).header('Content-Length', statSync(file).size);
    return reply.type('application/wacz').send(createReadStream(file));
  });

  app.get<{ Params: { name: string } }>('/bundle/:name/download', { schema: { hide: true } }, async (req, reply) => {
    const zip = bundleZip(ctx, req.params.name);
    if (!zip) return reply.code(404).type('text/plain; charset=utf-8').send('no such bundle');
    reply.header('Content-Disposition', `attachment; filename="${fileName(req.params.name)}.zip"`).header('Content-Length', statSync(zip).size);
    return reply.type('application/zip').send(createReadStream(zip));
  });
}
