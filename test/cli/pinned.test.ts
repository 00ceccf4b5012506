import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCatalogue } from '../helpers/catalogue.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { mentionsTrackedTerm } from '../../src/demo/sites/site.js';
import { runCli, tempDir } from '../helpers/cli.js';

/**
 * Pinned pages: what a report cites, watched whether a list links it or not, rechecked on the
 * shortest interval while the rest of the site waits its turn.
 */
let fx: RunningFixtures;
let dir: string;
let data: string;
let settings: string;
let cited: string;
const site = (pinned: string[]) => {
  const file = join(dir, 'county.yaml');
  writeFileSync(file, `${siteFile('county', fx.sites.county)}pinned: [${pinned.join(', ')}]\n`);
  return file;
};
const checkedIn = (runId: number) => {
  const db = openCatalogue(data);
  const rows = db.prepare(`SELECT p.url FROM checks c JOIN pages p ON p.id = c.page_id WHERE c.run_id = ?`).all(runId) as { url: string }[];
  db.close();
  return rows.map((r) => r.url);
};
const lastRun = () => {
  const db = openCatalogue(data);
  const id = (db.prepare(`SELECT max(id) AS id FROM runs`).get() as { id: number }).id;
  db.close();
  return id;
};
const dueNow = async () => {
  const s = await runCli(['status', '--json', '--data-dir', data, '--config', settings]);
  return (JSON.parse(s.stdout) as { sites: { id: string; due_now: number }[] }).sites.find((x) => x.id === 'county')!.due_now;
};

beforeAll(async () => {
  fx = await startFixtureSites({ countyPostings: 12, hostile: false });
  fx.sites.county.liveCounters = false;
  dir = tempDir('xjwatch-pinned-');
  data = join(dir, 'data');
  settings = join(dir, 'settings.yaml');
  // everything else waits a thousand hours; a pinned page a fraction of a second
  writeFileSync(settings, 'revisit: { pinnedHours: 0.0002, hitsHours: 1000, youngHours: 1000, suspectedMinutes: 0.01 }\n');
  const county = fx.sites.county;
  // a posting the site has taken off its lists but still serves: no list walk finds it
  const p = county.postings.filter(mentionsTrackedTerm)[3]!;
  county.hide(p.id);
  cited = county.postingUrl(p);
});
afterAll(async () => fx?.close());

describe('a page pinned in the site file', () => {
  it('is captured though no list links it, and is the only page due a moment later', async () => {
    const r = await runCli(['crawl', site([cited]), '--json', '--data-dir', data, '--config', settings]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.filter((e) => e.kind === 'new_posting').map((e) => e.url)).toContain(cited);
    await new Promise((res) => setTimeout(res, 1200));
    expect(await dueNow()).toBe(1);
    const again = await runCli(['crawl', site([cited]), '--recheck', 'due', '--json', '--data-dir', data, '--config', settings]);
    expect(again.code, again.stderr).toBe(0);
    expect(checkedIn(lastRun())).toEqual([cited]);
  });

  it('has its deletion confirmed by the next two due passes, while nothing else is asked again', async () => {
    fx.sites.county.delete(fx.sites.county.postings.find((p) => fx.sites.county.postingUrl(p) === cited)!.id, '404');
    const kinds: string[] = [];
    for (let i = 0; i < 2; i++) {
      await new Promise((res) => setTimeout(res, 1200));
      const r = await runCli(['crawl', site([cited]), '--recheck', 'due', '--json', '--data-dir', data, '--config', settings]);
      expect(r.code, r.stderr).toBe(0);
      expect(checkedIn(lastRun())).toEqual([cited]);
      kinds.push(...r.json.filter((e) => e.url === cited).map((e) => e.kind));
    }
    expect(kinds).toEqual(['suspected_deletion', 'deleted']);
  });

  it('is no longer pinned once the site file leaves it out', async () => {
    await new Promise((res) => setTimeout(res, 1200));
    const r = await runCli(['crawl', site([]), '--recheck', 'none', '--data-dir', data, '--config', settings]);
    expect(r.code, r.stderr).toBe(0);
    expect(await dueNow()).toBe(0);
  });
});
