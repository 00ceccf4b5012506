import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mentionsTrackedTerm } from '../../src/demo/sites/site.js';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { runCli, tempDir } from '../helpers/cli.js';

let fx: RunningFixtures;
beforeAll(async () => {
  fx = await startFixtureSites({ countyPostings: 20, hostile: false });
  fx.sites.county.liveCounters = false;
});
afterAll(async () => fx?.close());

describe('a list whose layout changed under its selector', () => {
  it('raises site_broken once, still reports new postings through the URL-shape fallback, and calls nothing delisted', async () => {
    const county = fx.sites.county;
    const dir = tempDir('xjwatch-broken-list-');
    const file = join(dir, 'county.yaml');
    const data = join(dir, 'data');
    const base = siteFile('county', county);
    writeFileSync(file, base);
    const crawl = () => runCli(['crawl', file, '--json', '--data-dir', data]);
    const first = await crawl();
    expect(first.code, first.stderr).toBe(0);
    const model = county.postings.find(mentionsTrackedTerm)!;
    const addPosting = (id: number) => {
      county.add({ ...model, paragraphs: [...model.paragraphs], id, title: `关于扶贫车间建设的通知（第${id}号）`, views: 1 });
      return county.postingUrl(county.posting(id)!);
    };
    // the site's new template: the selector the site file names matches nothing now
    writeFileSync(file, base.replace(`  - url: ${county.listUrl()}`, `  - url: ${county.listUrl()}\n    links: "div.no-such-list a[href]"`));
    const newUrl = addPosting(9101);
    const second = await crawl();
    expect(second.code, second.stderr).toBe(0);
    const broken = second.json.filter((e) => e.kind === 'site_broken');
    expect(broken).toEqual([expect.objectContaining({ url: county.listUrl(), reason: 'selector_matches_nothing', selector: 'div.no-such-list a[href]', fallback: { method: 'url-shape', postings: expect.any(Number) } })]);
    expect(broken[0].fallback.postings).toBeGreaterThan(0);
    expect(broken[0].detail).toContain('found by their URL shape');
    expect(second.json.filter((e) => e.kind === 'new_posting').map((e) => e.url)).toEqual([newUrl]);
    expect(second.json.map((e) => e.kind)).not.toContain('delisted');

    // still broken: no second site_broken, but the next new posting is still found
    const nextUrl = addPosting(9102);
    const third = await crawl();
    expect(third.code, third.stderr).toBe(0);
    expect(third.json.map((e) => e.kind)).not.toContain('site_broken');
    expect(third.json.filter((e) => e.kind === 'new_posting').map((e) => e.url)).toEqual([nextUrl]);
    expect(third.json.map((e) => e.kind)).not.toContain('delisted');

    // the selector fixed, then broken again: said again
    writeFileSync(file, base);
    const fixed = await crawl();
    expect(fixed.json.map((e) => e.kind)).not.toContain('site_broken');
    writeFileSync(file, base.replace(`  - url: ${county.listUrl()}`, `  - url: ${county.listUrl()}\n    links: "div.no-such-list a[href]"`));
    const again = await crawl();
    expect(again.json.filter((e) => e.kind === 'site_broken')).toHaveLength(1);
  });
});
