import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { PACKAGE_ROOT } from '../../version.js';

const require = createRequire(import.meta.url);

/** Every asset the view uses is served by xjwatch itself: no CDN, so it works offline and tells no third party what is read. */
const ASSETS: Record<string, { file: string; type: string }> = {
  'htmx.min.js': { file: require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  'style.css': { file: join(PACKAGE_ROOT, 'src/web/assets/style.css'), type: 'text/css; charset=utf-8' },
  'view.js': { file: join(PACKAGE_ROOT, 'src/web/assets/view.js'), type: 'text/javascript; charset=utf-8' },
};

export async function assetRoutes(app: FastifyInstance): Promise<void> {
  const cache = new Map<string, Buffer>();
  app.get<{ Params: { name: string } }>('/assets/:name', { schema: { hide: true } }, async (req, reply) => {
    const a = ASSETS[req.params.name];
    if (!a) return reply.code(404).type('text/plain; charset=utf-8').send('no such asset');
    let body = cache.get(a.file);
    if (!body) cache.set(a.file, (body = readFileSync(a.file)));
    return reply.type(a.type).send(body);
  });
}
