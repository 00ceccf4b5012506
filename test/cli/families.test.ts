import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FamilySite } from '../../src/demo/sites/family.js';
import { startFixtureSites, type FixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { runCli, tempDir } from '../helpers/cli.js';

/**
 * The imitations of the JEECMS, Destoon, xjcms, current XJ platform and any-path VSB families as
 * the demo and `server.js --families` serve them, through the real CLI: each list is walked over
 * its pagination, and a posting removed from the CMS is confirmed deleted with the reason its
 * family's answer gives (JEECMS's pageNotFound and Destoon's show-notfound with HTTP 404; the
 * xjcms "页面不存在" page with 200, a soft 404).
 */
const FAMILIES: [keyof FixtureSites, string][] = [
  ['jeecms', 'http_404'],
  ['destoon', 'http_404'],
  ['xjcms', 'soft_404'],
  ['platform', 'http_404'],
  ['vsb', 'http_404'],
];

let fx: RunningFixtures;
let files: Record<string, string>;
const dir = tempDir('xjwatch-families-');

beforeAll(async () => {
  fx = await startFixtureSites({ families: true });
  for (const s of fx.all) s.liveCounters = false;
  files = fx.writeSiteFiles(join(dir, 'sites'));
});
afterAll(async () => {
  await fx?.close();
});

describe.each(FAMILIES)('%s', (key, reason) => {
  const data = join(dir, `data-${key}`);
  const crawl = () => runCli(['crawl', files[key]!, '--json', '--all-postings', '--confirm-after', '2', '--data-dir', data]);

  it('a first crawl reports every posting of its list, over every list page', async () => {
    const site = fx.sites[key] as FamilySite;
    const r = await crawl();
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.filter((e) => e.kind === 'new_posting').map((e) => e.url).sort()).toEqual(site.listed().map((p) => site.postingUrl(p)).sort());
    expect(r.stderr).toMatch(/ 3 list page\(s\)/);
  });

  it(`a posting removed from the CMS is deleted (${reason}) after two checks alike`, async () => {
    const site = fx.sites[key] as FamilySite;
    const gone = site.listed()[1]!;
    const url = site.postingUrl(gone);
    site.remove(gone.id);
    const first = await crawl();
    expect(first.json.find((e) => e.url === url)).toMatchObject({ kind: 'suspected_deletion', reason });
    const second = await crawl();
    expect(second.json.find((e) => e.url === url)).toMatchObject({ kind: 'deleted', reason, checks: 2 });
  });
});
