import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { ROOT } from './cli.js';

/** replayweb.page's player and service worker, as `npm run setup` keeps them (scripts/setup.sh). */
export const REPLAYWEB = join(ROOT, '.cache/replaywebpage-2.5.3');

/**
 * replayweb.page embedded as its documentation says (<replay-web-page> with its service worker
 * under /replay/), served on 127.0.0.1 with one WACZ: what a reader who opens a bundle in it sees.
 */
export async function startReplayWeb(wacz: Buffer, pageUrl: string): Promise<{ url: string; close: () => Promise<void> }> {
  if (!existsSync(join(REPLAYWEB, 'ui.js'))) throw new Error(`replayweb.page is not in ${REPLAYWEB}: run npm run setup (it fetches it from the npm registry)`);
  const ui = readFileSync(join(REPLAYWEB, 'ui.js'));
  const sw = readFileSync(join(REPLAYWEB, 'sw.js'));
  const html = (body: string) => `<!doctype html><meta charset="utf-8"><script src="/ui.js"></script>${body}`;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const send = (status: number, type: string, body: Buffer | string, extra: Record<string, string | number> = {}) => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (path === '/') return send(200, 'text/html; charset=utf-8', html(`<replay-web-page source="/bundle.wacz" url="${pageUrl}" embed="replayonly" replayBase="/replay/"></replay-web-page>`));
    if (path === '/ui.js') return send(200, 'text/javascript', ui);
    if (path === '/replay/sw.js') return send(200, 'text/javascript', sw);
    if (path === '/replay/' || path === '/replay/index.html') return send(200, 'text/html; charset=utf-8', html('<replay-app-main></replay-app-main>'));
    if (path === '/bundle.wacz') {
      // the player reads a WACZ by ranges: its central directory, then each record the index names
      const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
      if (!m) return send(200, 'application/wacz', wacz, { 'accept-ranges': 'bytes' });
      const start = m[1] === '' ? Math.max(0, wacz.length - Number(m[2])) : Number(m[1]);
      const end = m[1] === '' || m[2] === '' ? wacz.length - 1 : Math.min(Number(m[2]), wacz.length - 1);
      return send(206, 'application/wacz', wacz.subarray(start, end + 1), { 'content-range': `bytes ${start}-${end}/${wacz.length}`, 'accept-ranges': 'bytes' });
    }
    send(404, 'text/plain', 'not here');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => new Promise((r) => server.close(() => r())) };
}
