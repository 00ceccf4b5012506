import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.js';
import { resolveSite } from '../../src/config/site-file.js';
import { siteSchema } from '../../src/config/site-schema.js';
import { planWorkers, WatcherPool } from '../../src/schedule/watch-pool.js';
import { ROOT, tempDir } from '../helpers/cli.js';

describe('a watcher over worker threads', () => {
  it('says which worker died and with what when one crashes, and still stops the others', async () => {
    const dataDir = tempDir('xjwatch-pool-');
    const settings = loadSettings(dataDir);
    // nothing listens on these ports: the healthy worker's run meets refused connections
    const sites = ['a', 'b'].map((id, i) =>
      resolveSite(siteSchema.parse({ id, name: id, home: `http://127.0.0.1:${9 + i}/`, lists: [{ url: `http://127.0.0.1:${9 + i}/list.htm` }], retries: { count: 0 } }), 'test', {}),
    );
    const crashes: string[] = [];
    const pool = new WatcherPool({
      dataDir,
      sites,
      shares: planWorkers(sites, { ...settings.watch, workers: 2 }),
      terms: [],
      settings: { ...settings, watch: { ...settings.watch, concurrency: 2, jitterSeconds: 0 } },
      userAgent: 'xjwatch-test',
      confirmAfter: 2,
      emit: () => undefined,
      log: () => undefined,
      arm: () => undefined,
      deliver: async () => undefined,
      onWriteFailure: () => undefined,
      onWorkerCrash: (problem) => crashes.push(problem),
      workerUrl: pathToFileURL(join(ROOT, 'dist', 'test', 'fixtures', 'crashing-watch-worker.js')),
      wiring: null,
    });
    pool.start(true);
    const end = Date.now() + 20_000;
    while (!crashes.length && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(crashes).toEqual(['worker thread 1 of 2 (sites a) died: an uncaught error: arming failed in worker 1']);
    const t = Date.now();
    expect(await pool.stop(10_000)).toBe(false); // the crashed worker's run never finished
    expect(Date.now() - t).toBeLessThan(10_000);
    expect(pool.state().sites.map((s) => [s.id, s.next_run])).toEqual([['a', null], ['b', null]]);
    expect(crashes).toHaveLength(1);
  }, 40_000);
});
