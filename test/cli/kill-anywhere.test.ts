import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCatalogue, TEAM } from '../helpers/catalogue.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { mentionsTrackedTerm } from '../../src/demo/sites/site.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { Watching } from '../helpers/watching.js';
import { checkStore } from '../helpers/store-check.js';

let fx: RunningFixtures;
let dir: string;
let data: string;
let mail: string;
let args: string[];
let siteYaml: string;
let settingsYaml: string;
beforeAll(async () => {
  fx = await startFixtureSites({ countyPostings: 30, hostile: false });
  fx.sites.county.liveCounters = false;
  dir = tempDir('xjwatch-kill-');
  data = join(dir, 'data');
  mail = join(dir, 'mail');
  const file = join(dir, 'county.yaml');
  // slow enough (20 ms between requests) that a kill lands inside a run as often as between runs
  writeFileSync(file, siteFile('county', fx.sites.county).replace('delayMs: 0', 'delayMs: 20').replace(/^screenshots: .*$/m, 'schedule: "*/2 * * * * *"\nscreenshots: false'));
  const settings = join(dir, 'settings.yaml');
  writeFileSync(settings, ['mail:', '  recipients:', '    - to: researcher@example.org', 'watch: { jitterSeconds: 0.2, outboxSeconds: 1 }', 'revisit: { hitsHours: 0.0002, youngHours: 0.0002, ladderDays: [0.00001], suspectedMinutes: 0.01 }', ''].join('\n'));
  [siteYaml, settingsYaml] = [file, settings];
  args = [file, '--now', '--json', '--data-dir', data, '--config', settings, '--mail-dir', mail];
});
afterAll(async () => fx?.close());

function count(sql: string, ...params: unknown[]): number {
  if (!TEAM && !existsSync(join(data, 'xjwatch.db'))) return 0;
  const db = openCatalogue(data);
  try {
    return (db.prepare(sql).get(...params) as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('a watcher killed -9 at random moments, over and over', () => {
  it('never leaves a torn row, WARC record or blob, never loses a capture, and reports and mails each happening once', async () => {
    const county = fx.sites.county;
    const withTerm = county.postings.filter(mentionsTrackedTerm);
    const edited = withTerm[0]!;
    const deleted = withTerm[1]!;
    const added: number[] = [];
    const delays: number[] = [];
    // the site as first captured, so that the edit and the deletion below happen to known pages
    const first = await runCli(['crawl', siteYaml, '--data-dir', data, '--config', settingsYaml, '--mail-dir', mail]);
    expect(first.code, first.stderr).toBe(0);
    // each round something happens on the site, then the watcher is started and killed at a random
    // moment: during start-up, a list walk, a recheck pass, an event's transaction, a mail
    for (let round = 0; round < 7; round++) {
      if (round === 1) county.edit(edited.id, (p) => p.paragraphs.splice(1, 0, '经研究决定，在兰干村新建卫星工厂一座。'));
      if (round === 2) county.delete(deleted.id, '404');
      if (round % 2 === 0) {
        const id = 8000 + round;
        county.add({ ...withTerm[2]!, paragraphs: [...withTerm[2]!.paragraphs], id, title: `关于扶贫车间建设的通知（第${round}号）`, views: 1 });
        added.push(id);
      }
      const w = new Watching(args);
      const delay = 300 + Math.floor(Math.random() * 2700);
      delays.push(delay);
      await new Promise((r) => setTimeout(r, delay));
      w.kill('SIGKILL');
      await w.exited;
      const mid = await checkStore(data);
      expect(mid.problems, `after the kill at ${delay} ms (round ${round}; kills so far at ${delays.join(', ')} ms)`).toEqual([]);
    }

    // a last watcher, left to finish what the killed ones began
    const last = new Watching(args);
    // what is still to come, in words
    const pending = () => [
      ...added.filter((id) => count(`SELECT count(*) AS n FROM events WHERE kind = 'new_posting' AND url = ?`, county.postingUrl(county.posting(id)!)) === 0).map((id) => `new posting ${id}`),
      ...(count(`SELECT count(*) AS n FROM events WHERE kind = 'deleted' AND url = ?`, county.postingUrl(deleted)) ? [] : ['the deletion']),
      ...(count(`SELECT count(*) AS n FROM events WHERE kind = 'changed' AND url = ?`, county.postingUrl(edited)) ? [] : ['the edit']),
      ...(count(`SELECT count(*) AS n FROM alerts a LEFT JOIN mails m ON m.id = a.mail_id WHERE m.id IS NULL OR m.state <> 'sent'`) ? ['mails unsent'] : []),
      ...(/county: run ok/.test(last.stderr) ? [] : ['a whole run']),
    ];
    const end = Date.now() + 120_000;
    while (pending().length) {
      if (Date.now() > end) throw new Error(`still waiting for ${pending().join(', ')} after the kills at ${delays.join(', ')} ms (data in ${data})\n${last.stderr.slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(await last.stop()).toBe(0);

    const store = await checkStore(data);
    expect(store.problems).toEqual([]);
    const v = await runCli(['verify', '--data-dir', data]);
    expect(v.code, v.stdout).toBe(0);
    // each happening once: a new posting, a deletion, each capture's change
    const db = openCatalogue(data);
    const twice = db
      .prepare(
        `SELECT kind, url, CASE WHEN kind = 'changed' THEN capture_id END AS c, count(*) AS n FROM events WHERE kind IN ('new_posting', 'deleted', 'changed', 'suspected_deletion')
         GROUP BY kind, url, CASE WHEN kind = 'changed' THEN capture_id END HAVING count(*) > 1`,
      )
      .all();
    expect(twice, `kills at ${delays.join(', ')} ms`).toEqual([]);
    // nothing lost: every posting first seen has its capture, every posting with a term its event
    const uncaptured = db.prepare(`SELECT url FROM pages WHERE kind = 'posting' AND last_capture_id IS NULL`).all();
    expect(uncaptured).toEqual([]);
    for (const p of [...withTerm, ...added.map((id) => county.posting(id)!)]) {
      const n = (db.prepare(`SELECT count(*) AS n FROM events WHERE kind = 'new_posting' AND url = ?`).get(county.postingUrl(p)) as { n: number }).n;
      expect(n, county.postingUrl(p)).toBe(1);
    }
    const mails = (db.prepare(`SELECT count(*) AS n FROM mails`).get() as { n: number }).n;
    db.close();
    // each alert mailed once: one .eml per queued mail, no Message-ID twice
    const emls = readdirSync(mail).filter((f) => f.endsWith('.eml'));
    const ids = emls.map((f) => /^Message-ID: (.*)$/im.exec(readFileSync(join(mail, f), 'utf8'))?.[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(emls.length).toBe(mails);
  }, 300_000);
});
