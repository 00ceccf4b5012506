import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCatalogue } from '../helpers/catalogue.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { mentionsTrackedTerm } from '../../src/demo/sites/site.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { Watching } from '../helpers/watching.js';

let fx: RunningFixtures;
let dir: string;
let data: string;
let args: string[];
beforeAll(async () => {
  fx = await startFixtureSites({ countyPostings: 12, hostile: false });
  fx.sites.county.liveCounters = false;
  dir = tempDir('xjwatch-watch-');
  data = join(dir, 'data');
  const file = join(dir, 'county.yaml');
  // every 3 seconds, in Kashgar's time zone: time compressed, as the demo does
  writeFileSync(file, siteFile('county', fx.sites.county).replace(/^screenshots: .*$/m, 'schedule: "*/3 * * * * *"\ntimezone: Asia/Urumqi\nscreenshots: false'));
  const settings = join(dir, 'settings.yaml');
  writeFileSync(
    settings,
    ['mail:', '  recipients:', '    - to: researcher@example.org', 'watch: { jitterSeconds: 0.5, outboxSeconds: 1 }', 'revisit: { hitsHours: 0.0005, youngHours: 0.0005, suspectedMinutes: 0.01 }', ''].join('\n'),
  );
  args = [file, '--json', '--data-dir', data, '--config', settings, '--mail-dir', join(dir, 'mail')];
});
afterAll(async () => fx?.close());

describe('xjwatch watch', () => {
  it('reports a new posting, an edit and a confirmed deletion as they happen, mails them, tells status the truth, and stops cleanly on SIGTERM', async () => {
    const county = fx.sites.county;
    const withHits = county.postings.filter(mentionsTrackedTerm);
    const w = new Watching(args);
    await w.until('first postings', () => w.events.filter((e) => e.kind === 'new_posting').length === withHits.length);

    const status = await runCli(['status', '--json', '--data-dir', data, '--config', join(dir, 'settings.yaml')]);
    const st = status.json[0];
    expect(st.watcher).toMatchObject({ running: true });
    expect(st.sites[0]).toMatchObject({ id: 'county', postings: county.postings.length });
    expect(Date.parse(st.sites[0].next_run ?? st.sites[0].running_since)).toBeGreaterThan(Date.now() - 10_000);
    // the data directory is the watcher's: a crawl would wait; --no-wait says who holds it
    const busy = await runCli(['crawl', join(dir, 'county.yaml'), '--no-wait', '--data-dir', data]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/watch .*county\.yaml/);

    const edited = withHits[0]!;
    county.edit(edited.id, (p) => p.paragraphs.splice(1, 0, '经研究决定，在兰干村新建卫星工厂一座，吸纳富余劳动力就业。'));
    const gone = withHits[1]!;
    county.delete(gone.id, '404');
    await w.until('the edit', () => w.events.some((e) => e.kind === 'changed' && e.url === county.postingUrl(edited)));
    await w.until('the deletion', () => w.events.some((e) => e.kind === 'deleted' && e.url === county.postingUrl(gone)));
    await w.until('the mails', () => {
      const mails = readdirSync(join(dir, 'mail'), { withFileTypes: true }).filter((f) => f.name.endsWith('.eml')).map((f) => readFileSync(join(dir, 'mail', f.name), 'utf8'));
      return mails.some((m) => m.includes(county.postingUrl(gone)) && /deleted|删除/i.test(m)) && mails.some((m) => m.includes(county.postingUrl(edited)));
    }, 30_000);

    const stopAt = Date.now();
    w.kill('SIGTERM');
    const end = await w.exited;
    expect(end.code, w.stderr.slice(-2000)).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(30_000);
    expect(w.stderr).toContain('stopped; every run finished and was sealed');
    const after = await runCli(['status', '--json', '--data-dir', data]);
    expect(after.json[0].watcher).toMatchObject({ running: false });
    // each happening once, however many runs saw it
    const keys = w.events.map((e) => `${e.kind} ${e.url}`);
    expect(new Set(keys).size).toBe(keys.length);
    const v = await runCli(['verify', '--data-dir', data]);
    expect(v.code, v.stdout).toBe(0);
  }, 240_000);

  it('after kill -9 and a restart: nothing torn, nothing reported or mailed twice, due work resumed', async () => {
    const county = fx.sites.county;
    const before = openCatalogue(data);
    const eventsBefore = (before.prepare(`SELECT count(*) AS n FROM events`).get() as { n: number }).n;
    before.close();
    // a new posting arrives while the watcher is down, another once it is back
    county.add({ ...county.postings.find(mentionsTrackedTerm)!, id: 9001, title: '关于扶贫车间建设的通知', views: 1 });
    const first = new Watching([...args, '--now']);
    await first.until('a run under way', () => /new posting|recheck/.test(first.stderr) || first.events.length > 0, 60_000);
    first.kill('SIGKILL');
    await first.exited;
    const second = new Watching([...args, '--now']);
    await second.until('the posting that arrived meanwhile', () => {
      const db = openCatalogue(data);
      const n = (db.prepare(`SELECT count(*) AS n FROM events WHERE kind = 'new_posting' AND url = ?`).get(county.postingUrl(county.posting(9001)!)) as { n: number }).n;
      db.close();
      return n === 1;
    });
    await second.until('a run after the restart', () => /county: run ok/.test(second.stderr), 60_000);
    second.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    const db = openCatalogue(data);
    const dup = db.prepare(`SELECT kind, url, count(*) AS n FROM events WHERE page_id IS NOT NULL AND kind IN ('new_posting', 'deleted') GROUP BY kind, url HAVING count(*) > 1`).all();
    const after = (db.prepare(`SELECT count(*) AS n FROM events`).get() as { n: number }).n;
    db.close();
    expect(dup).toEqual([]);
    expect(after).toBeGreaterThan(eventsBefore);
    const ids = readdirSync(join(dir, 'mail')).filter((f) => f.endsWith('.eml')).map((f) => /^Message-ID: (.*)$/im.exec(readFileSync(join(dir, 'mail', f), 'utf8'))?.[1]);
    expect(new Set(ids).size).toBe(ids.length);
    const v = await runCli(['verify', '--data-dir', data]);
    expect(v.code, v.stdout).toBe(0);
  }, 240_000);
});
