import { loadSettings } from '../../config/settings.js';
import { openDb } from '../../store/db.js';
import { tokenFor } from '../../web/access.js';
import { buildWebServer } from '../../web/server.js';
import { err, existingDataDir, type CommonOptions } from '../common.js';
import { loadTerms } from '../term-option.js';

export interface ServeOptions extends CommonOptions {
  port: number;
  host: string;
  config?: string;
  terms?: string;
}

/**
 * `xjwatch serve`: the web view over a data directory until interrupted. It reads the catalogue a
 * watcher may be writing at the same time (WAL: readers never wait for it) and fetches nothing.
 */
export async function serveCommand(opts: ServeOptions): Promise<number> {
  const token = tokenFor(opts.host);
  const dataDir = existingDataDir(opts);
  const settings = loadSettings(dataDir, opts.config);
  const { terms } = loadTerms(opts.terms);
  const db = openDb(dataDir, { readonly: true });
  // port 0 asks the system for one; the Host guard needs the real one, so bind first, then build
  const { createServer } = await import('node:net');
  const port = opts.port || (await new Promise<number>((done, fail) => {
    const probe = createServer().once('error', fail).listen(0, opts.host, () => {
      const p = (probe.address() as { port: number }).port;
      probe.close(() => done(p));
    });
  }));
  const app = await buildWebServer({ db, dataDir, host: opts.host, port, token, terms, settings, tz: 'Asia/Shanghai' });
  try {
    await app.listen({ host: opts.host, port });
  } catch (e) {
    db.close();
    err(`xjwatch: cannot serve on ${opts.host}:${port}: ${(e as Error).message}`);
    return 1;
  }
  const shown = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  err(`xjwatch: serving ${dataDir} at http://${shown}:${port}/${token ? ' (the token in XJWATCH_SERVE_TOKEN is the password)' : ''}; Ctrl-C stops`);
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await app.close();
  db.close();
  err('xjwatch: stopped serving');
  return 0;
}
