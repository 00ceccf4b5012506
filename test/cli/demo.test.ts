import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCatalogue } from '../helpers/catalogue.js';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

/** A number the summary states, by the words after it. */
function stated(stdout: string, re: RegExp): number {
  const m = re.exec(stdout);
  if (!m) throw new Error(`the summary does not say ${re}:\n${stdout}`);
  return Number(m[1]);
}

describe('xjwatch demo', () => {
  it('serves the fixture sites, crawls them into its own data directory, and says only what its data directory holds, exit 0', async () => {
    const dataDir = join(tempDir('xjwatch-demo-test-'), 'demo');
    // the whole tour, Chromium included; a loaded CI machine may take minutes
    const r = await runCli(['demo', '--data-dir', dataDir], { timeoutMs: 300_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^NEW /m);
    expect(r.stdout).not.toContain('Not shown');
    expect(r.stdout).toMatch(/The demo took \d+ s\./);
    expect(r.stdout).toContain(`${dataDir}/xjwatch.db`);
    const warcs = readdirSync(join(dataDir, 'warc'), { recursive: true }).filter((f) => String(f).endsWith('.warc.gz'));
    expect(stated(r.stdout, /WARC 1\.1 records in (\d+) files/)).toBe(warcs.length);

    // every figure of the summary is what the data directory holds
    const db = openCatalogue(dataDir);
    const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    try {
      expect(stated(r.stdout, /(\d+) postings and \d+ attachments captured/)).toBe(n(`SELECT count(*) AS n FROM pages WHERE kind = 'posting' AND last_capture_id IS NOT NULL`));
      expect(stated(r.stdout, /(\d+) attachments captured/)).toBe(n(`SELECT count(DISTINCT page_id) AS n FROM captures c JOIN pages p ON p.id = c.page_id WHERE p.kind = 'attachment'`));
      expect(stated(r.stdout, /captured; (\d+) mention tracked terms/)).toBe(n(`SELECT count(*) AS n FROM events WHERE kind = 'new_posting'`));
      expect(stated(r.stdout, /(\d+) deletions confirmed/)).toBe(n(`SELECT count(*) AS n FROM events WHERE kind = 'deleted'`));
      expect(stated(r.stdout, /(\d+) HTTP exchanges/)).toBe(n(`SELECT count(*) AS n FROM fetches`));
      expect(stated(r.stdout, /\((\d+) by Chromium\)/)).toBe(n(`SELECT count(*) AS n FROM fetches WHERE via = 'browser'`));
      expect(stated(r.stdout, /(\d+) screenshots/)).toBe(n(`SELECT count(*) AS n FROM renderings WHERE png_sha256 IS NOT NULL`));
      expect(stated(r.stdout, /challenge was passed in Chromium \((\d+) browser requests\)/)).toBe(n(`SELECT count(*) AS n FROM fetches WHERE site_id = 'ruishu' AND via = 'browser'`));
      expect(n(`SELECT count(*) AS n FROM events WHERE kind = 'challenge_failed' AND site_id = 'ruishu'`)).toBe(0);
      expect(stated(r.stdout, /The outage of regional was reported as (\d+) site event/)).toBe(n(`SELECT count(*) AS n FROM events WHERE site_id = 'regional' AND kind IN ('unreachable', 'challenge_failed') AND json_extract(body, '$.scope') = 'site'`));
      expect(n(`SELECT count(*) AS n FROM events WHERE site_id = 'regional' AND kind IN ('deleted', 'suspected_deletion')`)).toBe(0);
      expect(n(`SELECT count(*) AS n FROM events WHERE site_id = 'wall' AND kind = 'challenge_failed'`)).toBe(1);
    } finally {
      db.close();
    }
    const mails = readdirSync(join(dataDir, 'mail'));
    expect(stated(r.stdout, /(\d+) alert mails written/)).toBe(mails.length);
    const parsed = await Promise.all(mails.map((f) => simpleParser(readFileSync(join(dataDir, 'mail', f)))));
    // three take-downs between crawls, one while watched
    expect(parsed.filter((m) => /^\[xjwatch\] county: page deleted/.test(m.subject ?? '')).length).toBe(4);
    expect(r.stdout).toMatch(/Watching on a 3-second schedule, the new posting was reported \d+ s after it happened, the edit \d+ s after it happened, the take-down confirmed as deleted \d+ s after it happened\./);

    const s = await runCli(['search', '卫星工厂', '--json', '--data-dir', dataDir]);
    expect(s.code).toBe(0);
    expect(s.json.length).toBeGreaterThan(5);
    // the tour ends with a proof: a time-stamped bundle that verifies, as the summary says
    expect(r.stdout).toContain('deleted (http_404), confirmed on 2 checks with healthy controls');
    expect(r.stdout).toMatch(/time-stamped by http:\/\/127\.0\.0\.1/);
    const bundle = readdirSync(join(dataDir, 'evidence')).find((f) => /^deleted-\d+$/.test(f))!; // step 4's (the mails' bundles are deleted-<page>-event<n>)
    const v = await runCli(['verify', join(dataDir, 'evidence', bundle)]);
    expect(v.code, v.stdout).toBe(0);
    expect(v.stdout).toContain('1 time-stamp');
    expect(r.stdout).toMatch(/proved by a bundle of \d+ files, time-stamped \(1 token\), that `xjwatch verify` found intact/);
    const store = await runCli(['verify', '--data-dir', dataDir]);
    expect(store.code, store.stdout).toBe(0);
    const sites = await runCli(['sites', '--json', '--data-dir', dataDir]);
    expect(sites.json.map((x) => x.id)).toEqual(expect.arrayContaining(['county', 'prefecture', 'regional', 'aspnet', 'ruishu', 'jslist', 'wall']));
  }, 320_000);

  it('without a browser: says so first, naming the path and the fix, skips what needs it, claims nothing it did not do, exit 1; team storage set, it stays in its own folder', async () => {
    const dataDir = join(tempDir('xjwatch-demo-nobrowser-'), 'demo');
    // team variables naming servers that are not there: the tour must not try them
    const team = { XJWATCH_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', XJWATCH_BLOBS: 's3://no-team-bucket/x', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1' };
    const r = await runCli(['demo', '--data-dir', dataDir], { timeoutMs: 300_000, env: { XJWATCH_CHROMIUM: '/nonexistent/chromium', ...team } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('XJWATCH_DATABASE_URL and XJWATCH_BLOBS are set: the demo keeps its catalogue and files in its own folder');
    expect(existsSync(join(dataDir, 'xjwatch.db'))).toBe(true);
    // the second line of the run, before any site is served or crawled
    const first = r.stderr.split('\n').slice(0, 4).join('\n');
    expect(first).toContain('The browser cannot start');
    expect(first).toContain('/nonexistent/chromium');
    expect(first).toContain('npm run setup');
    expect(r.stdout).toContain('Skipped, because Chromium could not start');
    expect(r.stdout).toMatch(/Not shown: .*the browser part of the tour/);
    // nothing the browser would have done is claimed
    for (const claim of [/passed in Chromium/, /Chromium rendered/, /screenshots? \(each/, /by Chromium\)/, /challenge_failed/, /cookies/]) expect(r.stdout).not.toMatch(claim);
    expect(r.stderr).not.toMatch(/passed in Chromium/);
    const db = openCatalogue(dataDir);
    try {
      expect((db.prepare(`SELECT count(*) AS n FROM fetches WHERE via = 'browser'`).get() as { n: number }).n).toBe(0);
      expect((db.prepare(`SELECT count(*) AS n FROM renderings WHERE png_sha256 IS NOT NULL`).get() as { n: number }).n).toBe(0);
    } finally {
      db.close();
    }
    // what did happen is still said, from the record
    expect(r.stdout).toMatch(/4 deletions confirmed/);
    expect(existsSync(join(dataDir, 'evidence'))).toBe(true);
  }, 320_000);
});
