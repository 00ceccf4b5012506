import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { mentionsTrackedTerm } from '../../src/demo/sites/site.js';
import { randomBytes } from 'node:crypto';
import { freshTeamDatabase, objectStoreEnv } from '../helpers/catalogue.js';
import { runCli, tempDir } from '../helpers/cli.js';

// `xjwatch migrate`: a local data directory into a team database of the test PostgreSQL
// (XJWATCH_TEST_PG, started by test/helpers/global-services.ts). Runs in the local project.
const scalar = (url: string, sql: string) => execFileSync('psql', [url, '-XAtqc', sql], { encoding: 'utf8' }).trim();

/** Every file under `dir` but the catalogue's own (SQLite folds its WAL in at close), with its size. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile() && !f.startsWith('xjwatch.db'))
    .map((f) => `${f} ${statSync(join(dir, f)).size}`)
    .sort();
}

let fx: RunningFixtures;
let dir: string;
let site: string;
beforeAll(async () => {
  fx = await startFixtureSites({ countyPostings: 20, hostile: false });
  fx.sites.county.liveCounters = false;
  dir = tempDir('xjwatch-migrate-');
  site = join(dir, 'county.yaml');
  writeFileSync(site, siteFile('county', fx.sites.county));
});
afterAll(async () => fx?.close());

describe('xjwatch migrate --to postgres://… [--blobs s3://…]', () => {
  it('moves a data directory into an empty team catalogue, verified there; every reader then answers as before, and runs go on', async () => {
    const data = join(dir, 'data');
    const county = fx.sites.county;
    const withTerm = county.postings.filter(mentionsTrackedTerm);
    expect((await runCli(['crawl', site, '--data-dir', data])).code).toBe(0);
    county.edit(withTerm[0]!.id, (p) => p.paragraphs.splice(1, 0, '经研究决定，在兰干村新建卫星工厂一座。'));
    const again = await runCli(['crawl', site, '--recheck', 'all', '--json', '--data-dir', data]);
    expect(again.json.map((e) => e.kind)).toContain('changed');
    const url = freshTeamDatabase('xjt_migrate_ok');
    const before = files(data);
    const reads = async (env: Record<string, string> = {}) =>
      Promise.all([
        runCli(['events', '--json', '--data-dir', data], { env }),
        runCli(['search', '卫星工厂', '--json', '--data-dir', data], { env }),
        runCli(['history', county.postingUrl(withTerm[0]!), '--json', '--data-dir', data], { env }),
        runCli(['diff', county.postingUrl(withTerm[0]!), '--data-dir', data], { env }),
      ]).then((rs) => rs.map((r) => ({ code: r.code, stdout: r.stdout })));
    const local = await reads();

    const store = objectStoreEnv(`migrate-${randomBytes(4).toString('hex')}`);
    const { XJWATCH_BLOBS: _blobs, ...keys } = store;
    const m = await runCli(['migrate', '--to', url, '--blobs', store.XJWATCH_BLOBS, '--data-dir', data], { env: keys });
    expect(m.code, m.stdout + m.stderr).toBe(0);
    expect(m.stdout).toMatch(/files: \d+ sent, 0 already in the object store/);
    expect(m.stdout).toMatch(/migrated and verified in postgres:\/\/.*: \d+ custody entries re-derived from the \d+ rows they cover, chain head [0-9a-f]{64} as here; \d+ blobs and \d+ WARC files re-hashed in s3:\/\/xjwatch-test\/migrate-/);
    expect(m.stdout + m.stderr).not.toContain('S3RVER');
    expect(m.stdout).toMatch(/captures: \d+ row\(s\)/);
    // the data directory is untouched (its catalogue answers as before below): still a working local one
    expect(files(data)).toEqual(before);
    expect(await reads()).toEqual(local);

    const env = { XJWATCH_DATABASE_URL: url, ...store };
    expect(await reads(env)).toEqual(local);
    const verify = await runCli(['verify', '--data-dir', data], { env });
    expect(verify.code, verify.stdout).toBe(0);
    // another machine, with nothing of its own: every blob and WARC file re-hashed in the store
    const elsewhere = join(dir, 'elsewhere');
    const far = await runCli(['verify', '--json', '--data-dir', elsewhere], { env });
    expect(far.code, far.stdout).toBe(0);
    expect(far.stdout).toContain('"blobs":');

    // the team catalogue takes new runs: ids go on past the copied ones, the log's chain with them
    county.add({ ...withTerm[2]!, paragraphs: [...withTerm[2]!.paragraphs], id: 9100, title: '关于扶贫车间建设的通知（新）', views: 1 });
    const next = await runCli(['crawl', site, '--json', '--data-dir', data], { env });
    expect(next.code, next.stderr).toBe(0);
    expect(next.json.filter((e) => e.kind === 'new_posting').map((e) => e.url)).toEqual([county.postingUrl(county.posting(9100)!)]);
    expect((await runCli(['verify', '--data-dir', data], { env })).code).toBe(0);

    // never into a catalogue that holds one
    const twice = await runCli(['migrate', '--to', url, '--data-dir', data]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('already holds a catalogue');
  }, 240_000);

  it('rolls the copy back when it does not verify on the far side, and refuses what it cannot do yet', async () => {
    const data = join(dir, 'tampered');
    expect((await runCli(['crawl', site, '--no-screenshots', '--data-dir', data])).code).toBe(0);
    // one blob altered after it was recorded: the copy must not be taken as good
    const blobs = join(data, 'blobs');
    const blob = readdirSync(blobs, { recursive: true, encoding: 'utf8' }).find((f) => statSync(join(blobs, f)).isFile())!;
    writeFileSync(join(blobs, blob), 'altered');
    const url = freshTeamDatabase('xjt_migrate_bad');
    const m = await runCli(['migrate', '--to', url, '--data-dir', data]);
    expect(m.code).toBe(1);
    expect(m.stdout).toContain('not migrated: the copy did not verify');
    expect(m.stdout).toContain(blob.split('/').pop()!.slice(0, 12));
    expect(scalar(url, 'SELECT count(*) FROM runs')).toBe('0');
    expect(scalar(url, 'SELECT count(*) FROM custody')).toBe('0');

    // nor while a run writes the data directory (this test's own process stands for it)
    writeFileSync(join(data, 'writer.lock'), `${JSON.stringify({ pid: process.pid, host: hostname(), command: 'crawl county.yaml', since: new Date().toISOString() })}\n`);
    const busy = await runCli(['migrate', '--to', url, '--data-dir', data]);
    rmSync(join(data, 'writer.lock'));
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`is being written by another xjwatch run: pid ${process.pid}, \`crawl county.yaml\``);
    expect(busy.stderr).toContain('not migrated');
    expect(busy.stderr).not.toContain('    at ');

    const s3 = await runCli(['migrate', '--to', url, '--blobs', 'https://bucket/prefix', '--data-dir', data]);
    expect(s3.code).toBe(2);
    expect(s3.stderr).toContain('must be s3://bucket/prefix');
    const none = await runCli(['migrate', '--data-dir', data], { env: { XJWATCH_DATABASE_URL: '' } });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--to');
  }, 120_000);
});
