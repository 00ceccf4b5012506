import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { mentionsTrackedTerm } from '../../src/demo/sites/site.js';
import type { FixtureSite } from '../../src/demo/sites/site.js';
import { freshTeamDatabase, objectStoreEnv } from '../helpers/catalogue.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { Watching } from '../helpers/watching.js';
import { execFileSync } from 'node:child_process';

// Two watchers on two data directories ("machines") sharing one team catalogue, job queue and
// object store: the done-when, against the test PostgreSQL and s3rver. Local project only
// (it makes its own database and prefix).
const rows = (url: string, sql: string) =>
  execFileSync('psql', [url, '-XAtq', '-F', '\t', '-c', sql], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));

let fx: RunningFixtures;
let dir: string;
const fixtures = ['county', 'regional', 'aspnet', 'jeecms', 'destoon'] as const;
// county-home: a second site on county's host, whose runs the host's queue must keep apart from county's
const ids = [...fixtures, 'county-home'];
const files: string[] = [];
const YEARLY = 'schedule: "0 0 0 1 1 *"\ntimezone: Asia/Urumqi';
beforeAll(async () => {
  fx = await startFixtureSites({ countyPostings: 40, hostile: false, families: true });
  fx.sites.county.liveCounters = false;
  dir = tempDir('xjwatch-watchers-');
  for (const id of fixtures) {
    const site = fx.sites[id] as FixtureSite;
    // once a year (New Year's midnight), so that in the test only --now's run is due; county slow
    // enough to be killed mid-run
    let text = siteFile(id, site).replace(/^screenshots: .*$/m, `${YEARLY}\nscreenshots: false`);
    if (id === 'county') text = text.replace('delayMs: 0', 'delayMs: 150');
    const file = join(dir, `${id}.yaml`);
    writeFileSync(file, text);
    files.push(file);
  }
  const home = join(dir, 'county-home.yaml');
  writeFileSync(home, ['id: county-home', 'name: 县政府首页', `home: ${fx.sites.county.base}/`, YEARLY, 'rate: { perHost: 1, delayMs: 150 }', 'screenshots: false', `pinned: ["${fx.sites.county.base}/index.htm"]`, ''].join('\n'));
  files.push(home);
});
afterAll(async () => fx?.close());

describe('two watchers on the team job queue', () => {
  it('share the sites: each due run once, a host one run at a time, a killed watcher\'s run finished by the other, everything seen from either', async () => {
    const url = freshTeamDatabase('xjt_watchers');
    const env = { XJWATCH_DATABASE_URL: url, ...objectStoreEnv(`watchers-${randomBytes(4).toString('hex')}`) };
    const [a, b] = [join(dir, 'machine-a'), join(dir, 'machine-b')];
    const args = (data: string) => [...files, '--now', '--json', '--data-dir', data];
    const wa = new Watching(args(a), env);
    const wb = new Watching(args(b), env);
    const county = fx.sites.county;
    const countyUrls = new Set(county.postings.filter(mentionsTrackedTerm).map((p) => county.postingUrl(p)));
    const countyNews = (w: Watching) => w.events.filter((e) => e.kind === 'new_posting' && countyUrls.has(e.url));
    await Promise.all([wa, wb].map((w) => w.until('the queue', () => w.stderr.includes("on the team's job queue"))));

    // whichever watcher runs county is killed -9 in the middle of it
    await Promise.race([wa, wb].map((w) => w.until('county under way', () => countyNews(w).length >= 3)));
    const [victim, survivor] = countyNews(wa).length >= 3 ? [wa, wb] : [wb, wa];
    const killedAt = new Date();
    victim.kill('SIGKILL');
    await victim.exited;
    expect(countyNews(victim).length).toBeLessThan(countyUrls.size);

    const all = async () => (await runCli(['events', '--json', '--kind', 'new_posting', '--data-dir', survivor === wa ? a : b], { env })).json as { url: string; site: string }[];
    await survivor.until('county finished by the survivor', async () => (await all()).filter((e) => countyUrls.has(e.url)).length === countyUrls.size, 120_000);
    await survivor.until('every site run', () => Number(rows(url, `SELECT count(*) FROM runs WHERE status = 'ok'`)[0]![0]) >= ids.length, 120_000);
    expect(survivor.stderr).toContain('freed the jobs of 1 stopped worker(s)');
    expect(await survivor.stop()).toBe(0);

    // each posting captured once, each new posting reported once, whichever watcher found it
    expect(rows(url, `SELECT p.url, count(*) FROM captures c JOIN pages p ON p.id = c.page_id WHERE p.kind = 'posting' GROUP BY p.url HAVING count(*) > 1`)).toEqual([]);
    const news = await all();
    expect(new Set(news.map((e) => e.url)).size).toBe(news.length);
    expect(news.filter((e) => countyUrls.has(e.url))).toHaveLength(countyUrls.size);
    // one finished run per site for the one due date; the runs the kill cut short (county's, and
    // any other the victim had under way) again by the survivor, each only after the kill: a
    // host's queue holds one run at a time
    expect(rows(url, `SELECT count(*) FROM xjwatch_queued_runs`)[0]![0]).toBe(String(ids.length));
    const runs = rows(url, `SELECT command, status, started_at FROM runs ORDER BY id`);
    for (const id of ids) {
      const of = runs.filter((r) => r[0] === `watch ${id}`);
      expect(of.filter((r) => r[1] === 'ok')).toHaveLength(1);
      const cut = of.filter((r) => r[1] === 'interrupted');
      expect(of).toHaveLength(1 + cut.length);
      if (cut.length) expect(Date.parse(of.find((r) => r[1] === 'ok')![2]!)).toBeGreaterThanOrEqual(killedAt.getTime());
    }
    // the killed watcher's runs ended as interrupted once its death was seen, none left running
    expect(runs.filter((r) => r[0] === 'watch county' && r[1] === 'interrupted')).toHaveLength(1);
    expect(runs.filter((r) => r[1] === 'running')).toEqual([]);
    // county and county-home share a host: their runs never overlap, whichever watchers ran them
    // (the killed run counts as lasting until the kill)
    const spans = rows(url, `SELECT started_at, CASE WHEN status = 'interrupted' THEN '' ELSE finished_at END FROM runs WHERE command IN ('watch county', 'watch county-home') ORDER BY started_at`).map(([from, to]) => [Date.parse(from!), to ? Date.parse(to) : killedAt.getTime()] as const);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);

    // either machine sees everything
    for (const d of [a, b]) {
      const found = await runCli(['search', '扶贫车间', '--json', '--data-dir', d], { env });
      expect(found.code).toBe(0);
      expect(found.json.length).toBeGreaterThan(0);
    }
    // a posting the killed run captured cannot be proved from the other machine while its WARC
    // file is on the killed one alone: one line saying why, no stack, no half-made bundle
    const cutShort = rows(url, `SELECT p.url FROM captures c JOIN pages p ON p.id = c.page_id JOIN runs r ON r.id = c.run_id WHERE r.status = 'interrupted' AND p.kind = 'posting' ORDER BY c.id LIMIT 1`)[0]![0]!;
    const early = join(dir, 'early-bundle');
    const refused = await runCli(['prove', cutShort, '--out', early, '--data-dir', survivor === wa ? a : b], { env });
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/cannot make the bundle: the WARC file warc\/\S+\.warc\.gz, which holds \S+ as fetched at \S+, is neither in this data directory nor in the team's object store/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(early)).toBe(false);
    // the killed machine's unsent WARC file goes to the store when it starts again; then the
    // store verifies from the other machine, and the posting can be proved
    // (and a watcher starting forgets due dates older than two days: the table stays small)
    rows(url, `INSERT INTO xjwatch_queued_runs (site_id, due, queued_at, queued_by) VALUES ('county', 'long ago', now() - interval '3 days', 'test') RETURNING 1`);
    const again = new Watching([...files, '--json', '--data-dir', victim === wa ? a : b], env);
    await again.until('the restart', () => again.stderr.includes("on the team's job queue"));
    expect(await again.stop()).toBe(0);
    expect(rows(url, `SELECT count(*) FROM xjwatch_queued_runs`)[0]![0]).toBe(String(ids.length));
    const v = await runCli(['verify', '--data-dir', survivor === wa ? a : b], { env });
    expect(v.code, v.stdout).toBe(0);
    const proved = await runCli(['prove', cutShort, '--out', early, '--data-dir', survivor === wa ? a : b], { env });
    expect(proved.code, proved.stderr).toBe(0);
  }, 300_000);
});
