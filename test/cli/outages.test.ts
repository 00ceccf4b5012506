import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maintenancePage, siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import type { FixtureSite } from '../../src/demo/sites/site.js';
import { runCli, tempDir } from '../helpers/cli.js';

/**
 * The fault suite: whatever goes wrong with a site — down, slow, resetting, blocked, in
 * maintenance, answering one "not found" page for everything, gone from DNS — xjwatch reports
 * the site once and never calls a page deleted.
 */
let fx: RunningFixtures;
beforeAll(async () => {
  fx = await startFixtureSites();
});
afterAll(async () => fx?.close());

interface Outage {
  name: string;
  start: (site: FixtureSite) => void;
  /** the site file to use during the outage, if the outage is in it (DNS) */
  file?: (normal: string) => string;
  expect: 'unreachable' | 'challenge_failed';
}

const outages: Outage[] = [
  { name: 'every request answers 503', start: (s) => (s.down = { status: 503 }), expect: 'unreachable' },
  { name: 'every request times out', start: (s) => (s.down = { hang: true }), expect: 'unreachable' },
  { name: 'every connection is reset', start: (s) => (s.down = { reset: true }), expect: 'unreachable' },
  { name: 'every URL answers one maintenance page with 200', start: (s) => (s.down = { status: 200, body: maintenancePage(s.title) }), expect: 'unreachable' },
  { name: 'every request is refused with 403 (a geo-block)', start: (s) => (s.down = { status: 403 }), expect: 'challenge_failed' },
  { name: 'every posting answers the same soft-404 page, the home page is fine', start: (s) => (s.postingsAnswer = 'soft-phrase'), expect: 'unreachable' },
  {
    name: 'the host name stops resolving',
    start: () => undefined,
    file: (normal) => normal.replace(/^resolve:.*$/m, ''),
    expect: 'unreachable',
  },
];

function normalFile(site: FixtureSite): string {
  // the site under a host name that only the site file resolves, so that DNS can "fail"
  const port = new URL(site.base).port;
  return siteFile('regional', site).replaceAll(`127.0.0.1:${port}`, `regional.xjwatch.test:${port}`)
    .replace('timeoutMs: 10000', 'timeoutMs: 600')
    .replace('retries: { count: 2, backoffMs: 50 }', 'retries: { count: 1, backoffMs: 20, breakAfter: 6 }') + `resolve: { "regional.xjwatch.test": "127.0.0.1" }\n`;
}

describe.each(outages)('outage: $name', (o) => {
  it('is one site event, never a deletion, and recovers', async () => {
    const site = fx.sites.regional;
    const dir = tempDir('xjwatch-outage-');
    const data = join(dir, 'data');
    const file = join(dir, 'regional.yaml');
    const normal = normalFile(site);
    writeFileSync(file, normal);
    const crawl = () => runCli(['crawl', file, '--json', '--max-pages', '1', '--data-dir', data]);
    try {
      const base = await crawl();
      expect(base.code).toBe(0);
      expect(base.json.length).toBeGreaterThan(0);

      o.start(site);
      if (o.file) writeFileSync(file, o.file(normal));
      const during = [...(await crawl()).json, ...(await crawl()).json];
      expect(during.filter((e) => e.kind === 'deleted' || e.kind === 'suspected_deletion')).toEqual([]);
      expect(during.filter((e) => e.scope === 'page')).toEqual([]);
      const siteEvents = during.filter((e) => e.scope === 'site');
      expect(siteEvents.map((e) => e.kind)).toEqual([o.expect]);
      // reported once, but status counts the runs it has lasted
      const st = (await runCli(['status', '--json', '--data-dir', data])).json[0].sites[0];
      expect(st).toMatchObject({ id: 'regional', trouble: o.expect, trouble_streak: 2 });

      site.down = undefined;
      site.postingsAnswer = undefined;
      writeFileSync(file, normal);
      const after = await crawl();
      expect(after.json.map((e) => [e.kind, e.scope])).toEqual([['restored', 'site']]);
      expect((await runCli(['status', '--json', '--data-dir', data])).json[0].sites[0]).toMatchObject({ trouble: null, trouble_streak: 0 });
    } finally {
      site.down = undefined;
      site.postingsAnswer = undefined;
    }
  });
});
