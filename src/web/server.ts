import { join } from 'node:path';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import { Eta } from 'eta';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Settings } from '../config/settings.js';
import type { Term } from '../terms/types.js';
import { statusReport, type StatusReport } from '../schedule/status-report.js';
import { BlobStore } from '../store/blobs.js';
import type { Db } from '../store/db.js';
import { esc } from '../text/html-escape.js';
import { Csrf, guard } from './access.js';
import type { WebContext } from './context.js';
import { apiRoutes } from './routes/api.js';
import { assetRoutes } from './routes/assets.js';
import { evidenceRoutes } from './routes/evidence.js';
import { pageRoutes } from './routes/pages.js';
import { postingRoutes } from './routes/posting.js';
import { replayRoutes } from './routes/replay.js';
import { PACKAGE_ROOT, VERSION } from '../version.js';

/** The templates and the view's own assets, in the source tree (tsc copies no .eta or .css to dist). */
export const VIEWS = join(PACKAGE_ROOT, 'src/web/views');


export interface WebOptions {
  db: Db;
  dataDir: string;
  host: string;
  port: number;
  token?: string;
  terms: Term[];
  settings: Settings;
  tz: string;
}

const STATUS_TTL_MS = 5_000;

// Nothing the view serves may reach the network: its own scripts and styles only; pictures are
// the catalogue's, served by it. Replayed pages get a stricter policy of their own (replay.ts).
const CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  frameSrc: ["'self'"],
  formAction: ["'self'"],
  baseUri: ["'none'"],
  frameAncestors: ["'self'"],
  objectSrc: ["'none'"],
};

/** The web view and its JSON API over one data directory (read from the catalogue; never fetches). */
export async function buildWebServer(o: WebOptions): Promise<FastifyInstance> {
  // stopping cuts every connection: a client that stops reading a large answer (a bundle, a
  // capture) would otherwise hold Ctrl-C's close open for as long as it stays connected
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, trustProxy: false, forceCloseConnections: true });
  const eta = new Eta({ views: VIEWS, autoEscape: true, escapeFunction: esc, cache: true });
  const csrf = new Csrf();
  let status: { at: number; report: StatusReport } | undefined;
  const names = o.host.includes(':') ? [`[${o.host}]`] : [o.host];
  if (o.host === '127.0.0.1' || o.host === '::1') names.push('localhost');
  const hosts = new Set(names.map((h) => `${h}:${o.port}`.toLowerCase()));
  const origins = new Set([...hosts].map((h) => `http://${h}`));
  const ctx: WebContext = {
    db: o.db,
    dataDir: o.dataDir,
    blobs: BlobStore.of(o.dataDir),
    terms: o.terms,
    settings: o.settings,
    tz: o.tz,
    csrf,
    status: () => {
      const now = Date.now();
      if (!status || now - status.at > STATUS_TTL_MS) status = { at: now, report: statusReport(o.dataDir, o.db, o.settings) };
      return status.report;
    },
    render: (reply, view, data) => reply.type('text/html; charset=utf-8').send(eta.render(view, { ...data, csrf: csrf.token, version: VERSION })),
  };
  await app.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: CSP }, crossOriginResourcePolicy: { policy: 'same-origin' }, referrerPolicy: { policy: 'no-referrer' } });
  await app.register(formbody);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'xjwatch', version: VERSION, description: "The catalogue of an xjwatch data directory: sites, events, postings and their captures, diffs, search, evidence bundles. Read-only but for building a bundle." },
      servers: [{ url: `http://${[...hosts][0]}` }],
    },
  });
  app.addHook('onRequest', guard({ hosts, token: o.token }));
  // pages are about evidence as it stands now: never from a cache
  app.addHook('onSend', async (req, reply) => {
    reply.header('Cache-Control', 'no-store');
  });
  app.addHook('preHandler', async (req, reply) => {
    if (req.method !== 'POST') return;
    const why = csrf.check(req, origins);
    if (why) return reply.code(403).type('text/plain; charset=utf-8').send(why);
  });
  app.setNotFoundHandler((req, reply) => (req.url.startsWith('/api/') ? reply.code(404).send({ error: `no such route: ${req.method} ${req.url}` }) : ctx.render(reply.code(404), 'error', { title: 'Not found 未找到', message: `nothing at ${req.url}` })));
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    const code = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    const message = code === 500 ? `the view failed: ${err.message}` : err.message;
    if (req.url.startsWith('/api/')) return reply.code(code).send({ error: message });
    return ctx.render(reply.code(code), 'error', { title: code === 500 ? 'Error 错误' : 'Bad request 请求有误', message });
  });
  await app.register(assetRoutes);
  await app.register(async (a) => pageRoutes(a, ctx));
  await app.register(async (a) => postingRoutes(a, ctx));
  await app.register(async (a) => replayRoutes(a, ctx));
  await app.register(async (a) => evidenceRoutes(a, ctx));
  await app.register(async (a) => apiRoutes(a, ctx), { prefix: '/api/v1' });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
