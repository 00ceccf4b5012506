import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCatalogue } from '../helpers/catalogue.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { mentionsTrackedTerm, type FixtureSite } from '../../src/demo/sites/site.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { checkStore } from '../helpers/store-check.js';
import { Watching } from '../helpers/watching.js';

const DELAY_MS = 150;

let fx: RunningFixtures;
let dir: string;
let data: string;
let args: string[];
let watched: FixtureSite[];
beforeAll(async () => {
  fx = await startFixtureSites({ countyPostings: 12, hostile: false });
  const { county, prefecture, regional, aspnet } = fx.sites;
  watched = [county, prefecture, regional, aspnet];
  for (const s of watched) s.liveCounters = false;
  dir = tempDir('xjwatch-workers-');
  data = join(dir, 'data');
  // the county's host is the one two sites share: slow enough there that a second gate would show
  const every = (yaml: string, delayMs = 0) => yaml.replace(/^screenshots: .*$/m, 'schedule: "*/3 * * * * *"\nscreenshots: false').replace('delayMs: 0', `delayMs: ${delayMs}`);
  const files = (Object.entries({ county, prefecture, regional, aspnet }) as [string, FixtureSite][]).map(([id, site]) => {
    const file = join(dir, `${id}.yaml`);
    writeFileSync(file, every(siteFile(id, site), site === county ? DELAY_MS : 0));
    return file;
  });
  // a second site on the county's host (another section of one government site): the split must
  // keep it with the county site, or two host gates would ask that host at once
  const home = join(dir, 'county-home.yaml');
  writeFileSync(home, every(['id: county-home', 'name: 县政府首页', `home: ${county.base}/`, 'rate: { perHost: 1, delayMs: 0 }', 'screenshots: false', `pinned: ["${county.base}/index.htm"]`, ''].join('\n'), DELAY_MS));
  files.splice(1, 0, home);
  const settings = join(dir, 'settings.yaml');
  writeFileSync(
    settings,
    [
      'mail:',
      '  recipients:',
      '    - to: researcher@example.org',
      'watch: { workers: 2, concurrency: 4, jitterSeconds: 0.3, outboxSeconds: 1 }',
      'revisit: { pinnedHours: 0.0005, hitsHours: 0.0005, youngHours: 0.0005, suspectedMinutes: 0.01 }',
      '',
    ].join('\n'),
  );
  args = [...files, '--json', '--data-dir', data, '--config', settings, '--mail-dir', join(dir, 'mail')];
});
/** A real full disk: a 2 MiB tmpfs (needs root, as CI and these machines run; skipped otherwise) */
const smallDisk = join(tempDir('xjwatch-workers-full-'), 'data');
mkdirSync(smallDisk);
const canMount = (() => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', smallDisk], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const started: Watching[] = [];
function watch(extra: string[] = []): Watching {
  const w = new Watching([...args, ...extra]);
  started.push(w);
  return w;
}
afterAll(async () => {
  for (const w of started) {
    w.kill('SIGKILL');
    await w.exited;
  }
  await fx?.close();
  if (canMount) execFileSync('umount', [smallDisk]);
  rmSync(smallDisk, { recursive: true, force: true });
});

function dbCount(sql: string, ...params: unknown[]): number {
  const db = openCatalogue(data);
  try {
    return (db.prepare(sql).get(...params) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Requests to one host that overlapped, or came closer than its delay. */
function impolite(site: FixtureSite, delayMs: number): string[] {
  const log = site.log.filter((e) => !e.path.startsWith('/__fixture/')).sort((a, b) => a.start - b.start);
  const bad: string[] = [];
  for (let i = 1; i < log.length; i++) {
    const gap = log[i]!.start - log[i - 1]!.end;
    // a timer may fire a millisecond or two early
    if (gap < delayMs - 5) bad.push(`${log[i - 1]!.path} → ${log[i]!.path}: ${gap} ms`);
  }
  return bad;
}

describe('xjwatch watch with watch.workers: 2', () => {
  it('reports each happening once as one thread would, keeps every host polite, and stops cleanly with every run sealed', async () => {
    const { county, regional } = fx.sites;
    for (const s of watched) s.log.length = 0;
    const w = watch();
    const withHits = watched.flatMap((s) => s.postings.filter(mentionsTrackedTerm).map((p) => s.postingUrl(p)));
    const newPostings = () => w.events.filter((e) => e.kind === 'new_posting' && withHits.includes(e.url)).length;
    await w.until('first postings on every site', () => newPostings() === withHits.length, 60_000);
    expect(w.stderr).toMatch(/5 sites over 2 worker threads/);

    const status = await runCli(['status', '--json', '--data-dir', data]);
    expect(status.json[0].watcher).toMatchObject({ running: true });
    expect(status.json[0].sites.map((s: { id: string }) => s.id).sort()).toEqual(['aspnet', 'county', 'county-home', 'prefecture', 'regional']);
    // watch.json as one thread writes it: every site, in the order given, whichever worker runs it
    const state = JSON.parse(readFileSync(join(data, 'watch.json'), 'utf8'));
    expect(state.sites.map((s: { id: string }) => s.id)).toEqual(['county', 'county-home', 'prefecture', 'regional', 'aspnet']);
    expect(state.pid).toBe(status.json[0].watcher.pid);
    expect(state.sites.every((s: { next_run: string | null; running_since: string | null }) => s.next_run || s.running_since)).toBe(true);

    // one happening in each worker's share: an edit on the county site, a deletion on another
    const edited = county.postings.find(mentionsTrackedTerm)!;
    county.edit(edited.id, (p) => p.paragraphs.splice(1, 0, '经研究决定，在兰干村新建卫星工厂一座，吸纳富余劳动力就业。'));
    const gone = regional.postings.find(mentionsTrackedTerm)!;
    regional.delete(gone.id, '404');
    await w.until('the edit', () => w.events.some((e) => e.kind === 'changed' && e.url === county.postingUrl(edited)), 30_000);
    await w.until('the deletion', () => w.events.some((e) => e.kind === 'deleted' && e.url === regional.postingUrl(gone)), 30_000);
    await w.until('the mails', () => {
      const mails = readdirSync(join(dir, 'mail')).filter((f) => f.endsWith('.eml')).map((f) => readFileSync(join(dir, 'mail', f), 'utf8'));
      return mails.some((m) => m.includes(regional.postingUrl(gone))) && mails.some((m) => m.includes(county.postingUrl(edited)));
    }, 20_000);

    const stopAt = Date.now();
    const code = await w.stop();
    expect(code, w.stderr.slice(-2000)).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(30_000);
    expect(w.stderr).toContain('stopped; every run finished and was sealed');
    // each worker ended by itself: terminating a thread mid-zlib-call can abort the process
    expect(w.stderr).not.toContain('did not end by themselves');
    // every run of both workers ended, and each that fetched sealed its WARC file
    expect(dbCount(`SELECT count(*) AS n FROM runs WHERE status = 'running' OR finished_at IS NULL`)).toBe(0);
    expect(dbCount(`SELECT count(DISTINCT run_id) AS n FROM fetches`)).toBeGreaterThan(10);
    expect(dbCount(`SELECT count(DISTINCT run_id) AS n FROM fetches WHERE run_id NOT IN (SELECT run_id FROM warc_files WHERE sealed_at IS NOT NULL)`)).toBe(0);
    const after = await runCli(['status', '--json', '--data-dir', data]);
    expect(after.json[0].watcher).toMatchObject({ running: false });
    expect(after.json[0].sites.every((s: { last_run: unknown }) => s.last_run)).toBe(true);

    // each happening once; the county host never asked by two sites at once or too soon
    const keys = w.events.filter((e) => e.kind !== 'operator').map((e) => `${e.kind} ${e.url}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(county.log.some((e) => e.path === '/index.htm')).toBe(true);
    for (const s of watched) expect(impolite(s, s === county ? DELAY_MS : 0), s.name).toEqual([]);
    const v = await runCli(['verify', '--data-dir', data]);
    expect(v.code, v.stdout).toBe(0);
  }, 120_000);

  it('after kill -9 of a watcher with two workers busy and a restart: nothing torn, reported or mailed twice', async () => {
    const { county, regional } = fx.sites;
    const eventsBefore = dbCount(`SELECT count(*) AS n FROM events`);
    county.add({ ...county.postings.find(mentionsTrackedTerm)!, id: 9001, title: '关于扶贫车间建设的通知', views: 1 });
    const first = watch(['--now']);
    // the first runs end while others are still going (prefecture's hundred postings), in both workers
    await first.until('a run finished', () => /: run ok/.test(first.stderr), 30_000);
    await new Promise((r) => setTimeout(r, Math.random() * 1000));
    first.kill('SIGKILL');
    await first.exited;
    expect((await checkStore(data)).problems).toEqual([]);
    regional.add({ ...regional.postings.find(mentionsTrackedTerm)!, id: 9002, title: '关于教培中心结业学员转移就业的通知', views: 1 });
    const second = watch(['--now']);
    const arrived = (s: FixtureSite, id: number) => dbCount(`SELECT count(*) AS n FROM events WHERE kind = 'new_posting' AND url = ?`, s.postingUrl(s.posting(id)!)) === 1;
    await second.until('the postings added meanwhile', () => arrived(county, 9001) && arrived(regional, 9002), 40_000);
    await second.until('a run of every site after the restart', () => ['county', 'county-home', 'prefecture', 'regional', 'aspnet'].every((id) => second.stderr.includes(`${id}: run ok`)), 30_000);
    expect(await second.stop()).toBe(0);

    expect((await checkStore(data)).problems).toEqual([]);
    const db = openCatalogue(data);
    const twice = db.prepare(`SELECT kind, url, count(*) AS n FROM events WHERE page_id IS NOT NULL AND kind IN ('new_posting', 'deleted') GROUP BY kind, url HAVING count(*) > 1`).all();
    const eventsAfter = (db.prepare(`SELECT count(*) AS n FROM events`).get() as { n: number }).n;
    db.close();
    expect(twice).toEqual([]);
    expect(eventsAfter).toBeGreaterThan(eventsBefore);
    const ids = readdirSync(join(dir, 'mail')).filter((f) => f.endsWith('.eml')).map((f) => /^Message-ID: (.*)$/im.exec(readFileSync(join(dir, 'mail', f), 'utf8'))?.[1]);
    expect(new Set(ids).size).toBe(ids.length);
    const v = await runCli(['verify', '--data-dir', data]);
    expect(v.code, v.stdout).toBe(0);
  }, 120_000);

  it('refuses a workers setting that is not a number of threads or auto, naming the file, line and field', async () => {
    const bad = join(dir, 'bad-settings.yaml');
    writeFileSync(bad, 'watch:\n  workers: many\n');
    const r = await runCli(['watch', args[0]!, '--data-dir', join(dir, 'data-bad'), '--config', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:2: watch.workers: must be a number of threads (1 to 64) or auto`);
  });

  it.skipIf(!canMount)('stops every worker and exits 1 with the one-line message when a worker\'s write fails (a full disk)', async () => {
    const w = watch(['--now', '--data-dir', smallDisk]);
    let exited = false;
    void w.exited.then(() => (exited = true));
    await w.until('the stop', () => exited, 40_000);
    const end = await w.exited;
    expect(end.code, w.stderr.slice(-2000)).toBe(1);
    expect(w.stderr.trim().split('\n').at(-1)).toMatch(new RegExp(`^xjwatch: cannot write to ${smallDisk}: the disk is full \\((ENOSPC|SQLITE_FULL) writing `));
    expect((await checkStore(smallDisk)).problems).toEqual([]);
  }, 60_000);
});
