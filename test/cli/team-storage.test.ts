import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { mentionsTrackedTerm } from '../../src/demo/sites/site.js';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { freshTeamDatabase, objectStoreEnv } from '../helpers/catalogue.js';
import { BIN, runCli, tempDir } from '../helpers/cli.js';
import { serve } from '../helpers/web-data.js';

// What only team storage has: these run in the local project, against the test PostgreSQL
// (XJWATCH_TEST_PG, started by test/helpers/global-services.ts), with URLs of their own.
function database(name: string, ctype?: string): string {
  const u = new URL(freshTeamDatabase(name, ctype));
  // the test server trusts 127.0.0.1, so any password passes: it is there to be kept out of output
  u.password = 'not-to-be-seen';
  return u.toString();
}

const psql = (url: string, sql: string) => {
  try {
    execFileSync('psql', [url, '-XAtqv', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return '';
  } catch (e) {
    return String((e as { stderr?: string }).stderr);
  }
};

let fx: RunningFixtures;
let dir: string;
let site: string;
beforeAll(async () => {
  fx = await startFixtureSites({ countyPostings: 24, hostile: false });
  fx.sites.county.liveCounters = false;
  dir = tempDir('xjwatch-team-');
  site = join(dir, 'county.yaml');
  writeFileSync(site, siteFile('county', fx.sites.county));
});
afterAll(async () => fx?.close());

describe('team storage: XJWATCH_DATABASE_URL', () => {
  it('refuses a database whose ctype would leave Chinese out of trigram search, naming the fix, and writes nothing', async () => {
    const url = database('xjt_team_c_ctype', 'C');
    const r = await runCli(['crawl', site, '--data-dir', join(dir, 'c'), '--no-screenshots'], { env: { XJWATCH_DATABASE_URL: url } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('has encoding UTF8 and ctype C: xjwatch needs UTF8 with a UTF-8 ctype');
    expect(r.stderr).toContain("LC_CTYPE 'C.UTF-8'");
    expect(r.stderr).not.toContain('not-to-be-seen');
    expect(psql(url, 'SELECT 1 FROM captures')).toContain('relation "captures" does not exist');
  });

  it('refuses a URL that is not postgres://, an object store without a team catalogue, a bad s3:// URL, a missing bucket and wrong keys', async () => {
    const bad = await runCli(['events', '--data-dir', join(dir, 'c')], { env: { XJWATCH_DATABASE_URL: 'mysql://u:hidden@h/db' } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('XJWATCH_DATABASE_URL must be a postgres:// URL');
    expect(bad.stderr).not.toContain('hidden');
    const alone = await runCli(['crawl', site, '--data-dir', join(dir, 'c')], { env: { XJWATCH_BLOBS: 's3://bucket/prefix' } });
    expect(alone.code).toBe(1);
    expect(alone.stderr).toContain('XJWATCH_BLOBS is set but XJWATCH_DATABASE_URL is not');
    const url = database('xjt_team_refusals');
    const store = objectStoreEnv(`refusals-${randomBytes(4).toString('hex')}`);
    const shape = await runCli(['events', '--data-dir', join(dir, 'c')], { env: { XJWATCH_DATABASE_URL: url, ...store, XJWATCH_BLOBS: 'http://bucket/x' } });
    expect(shape.code).toBe(1);
    expect(shape.stderr).toContain('XJWATCH_BLOBS must be s3://bucket/prefix');
    // a run whose first blob the store refuses halts as on a full disk, naming the store and why
    const nobucket = await runCli(['crawl', site, '--no-screenshots', '--data-dir', join(dir, 'nobucket')], { env: { XJWATCH_DATABASE_URL: url, ...store, XJWATCH_BLOBS: 's3://no-such-bucket/x' } });
    expect(nobucket.code).toBe(1);
    expect(nobucket.stderr).toMatch(/the run stopped: the object store s3:\/\/no-such-bucket\/x\/ at http:\/\/127\.0\.0\.1:\d+ did not take blobs\/sha256\/.*NoSuchBucket/);
    const doctor = await runCli(['doctor', '--data-dir', join(dir, 'nobucket')], { env: { XJWATCH_DATABASE_URL: url, ...store, AWS_SECRET_ACCESS_KEY: 'wrong-secret' } });
    expect(doctor.stdout).toMatch(/objects +.*access refused \(HTTP 403, SignatureDoesNotMatch\)/);
    expect(doctor.stdout + doctor.stderr).not.toContain('wrong-secret');
  });

  it('is one catalogue and one object store for two data directories: one writer at a time across them, every reader sees all, the custody log is frozen', async () => {
    const url = database('xjt_team_shared');
    const store = objectStoreEnv(`shared-${randomBytes(4).toString('hex')}`);
    const env = { XJWATCH_DATABASE_URL: url, ...store };
    const [a, b] = [join(dir, 'machine-a'), join(dir, 'machine-b')];
    const empty = await runCli(['events', '--data-dir', b], { env });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no xjwatch catalogue in the team database postgres:\/\/xjwatch:\*\*\*@127\.0\.0\.1:\d+\/xjt_team_shared/);

    // another catalogue on the same server has its own writer lock held meanwhile (advisory locks
    // are per database): it is not the holder to name
    const other = spawn('psql', [database('xjt_team_other'), '-XAtqc', 'SELECT pg_advisory_lock(7301002); SELECT pg_sleep(60)'], { stdio: 'ignore' });
    onTestFinished(() => void other.kill());
    await new Promise((r) => setTimeout(r, 500));
    // a slow crawl from one machine's data directory holds the catalogue's writer lock
    const slow = join(dir, 'slow.yaml');
    writeFileSync(slow, siteFile('county', fx.sites.county).replace('delayMs: 0', 'delayMs: 150'));
    const first = spawn(process.execPath, [BIN, 'crawl', slow, '--json', '--no-screenshots', '--data-dir', a], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
    let firstOut = '';
    const firstEvent = new Promise<void>((r) => first.stdout.setEncoding('utf8').on('data', (d: string) => ((firstOut += d), r())));
    const firstDone = new Promise<number | null>((r) => first.on('close', r));
    await firstEvent;
    const refused = await runCli(['crawl', site, '--no-wait', '--json', '--data-dir', b], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`the team catalogue postgres://xjwatch:\\*\\*\\*@127\\.0\\.0\\.1:\\d+/xjt_team_shared is being written by another xjwatch run: pid ${first.pid}, \`crawl`));
    expect(refused.stdout).toBe('');
    expect(await firstDone).toBe(0);
    const verified = await runCli(['verify', '--data-dir', a], { env });
    expect(verified.code, verified.stdout).toBe(0);

    // the other machine's crawl then finds nothing new: the postings are the catalogue's, not a folder's
    const second = await runCli(['crawl', site, '--json', '--no-screenshots', '--data-dir', b], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.json).toEqual([]);
    const news = firstOut.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string });
    expect(news.filter((e) => e.kind === 'new_posting')).toHaveLength(fx.sites.county.postings.filter(mentionsTrackedTerm).length);
    const seen = await runCli(['events', '--json', '--kind', 'new_posting', '--data-dir', b], { env });
    expect(seen.json).toHaveLength(news.filter((e) => e.kind === 'new_posting').length);
    const found = await runCli(['search', '扶贫车间', '--json', '--data-dir', b], { env });
    expect(found.code).toBe(0);
    expect(found.json.length).toBeGreaterThan(0);
    for (const hit of found.json) expect(hit.snippet).toContain('扶贫车间');

    // the custody log and the rows it covers refuse every change, whoever asks
    expect(psql(url, `UPDATE captures SET title = 'x'`)).toContain('rows in the custody log are never changed: captures');
    expect(psql(url, `DELETE FROM custody`)).toContain('the custody log is append-only');
    expect(psql(url, `TRUNCATE custody`)).toContain('the custody log is append-only');
    // both machines' files are in the object store: verify from either re-hashes all of them there
    for (const d of [a, b]) {
      const v = await runCli(['verify', '--data-dir', d], { env });
      expect(v.code, v.stdout).toBe(0);
    }
    // machine b reads a posting machine a captured: its body comes from the store into b's copy
    const posting = (news.find((e) => e.kind === 'new_posting') as unknown as { url: string }).url;
    const shown = await runCli(['history', posting, '--json', '--data-dir', b], { env });
    expect(shown.code, shown.stderr).toBe(0);
    const bundle = join(dir, 'bundle-from-b');
    const proved = await runCli(['prove', posting, '--out', bundle, '--data-dir', b], { env });
    expect(proved.code, proved.stderr).toBe(0);
    expect(readdirSync(bundle)).toContain('SHA256SUMS');
    // what b handed over is on record for the team: a's view lists it and serves its .zip from the
    // object store (a never had it), verified as it stands
    const web = await serve(['--data-dir', a], env);
    onTestFinished(() => void web.stop());
    const pageId = (await (await fetch(`${web.url}/api/v1/pages?url=${encodeURIComponent(posting)}`)).json()).id as number;
    const listed = (await (await fetch(`${web.url}/api/v1/bundles?page=${pageId}`)).json()).bundles as { name: string; host: string; sha256: string; download: string }[];
    expect(listed).toEqual([expect.objectContaining({ name: 'bundle-from-b', host: hostname() })]);
    const zipped = Buffer.from(await (await fetch(`${web.url}${listed[0]!.download}`)).arrayBuffer());
    expect(zipped.equals(readFileSync(`${bundle}.zip`))).toBe(true);
    const report = await (await fetch(`${web.url}/bundle/bundle-from-b`)).text();
    expect(report).toContain('every file hashes as listed');
    await web.stop();
    // an object altered in the store is named by verify on any machine
    const blobOfA = readdirSync(join(a, 'blobs', 'sha256'), { recursive: true, withFileTypes: true }).find((e) => e.isFile())!;
    const s3 = new S3Client({ endpoint: store.AWS_ENDPOINT_URL_S3, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const key = `${store.XJWATCH_BLOBS.replace('s3://xjwatch-test/', '')}/blobs/sha256/${blobOfA.name.slice(0, 2)}/${blobOfA.name.slice(2, 4)}/${blobOfA.name}`;
    await s3.send(new PutObjectCommand({ Bucket: 'xjwatch-test', Key: key, Body: 'rewritten' }));
    const tampered = await runCli(['verify', '--data-dir', b], { env });
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain(`${key} (object store)`);
    expect(tampered.stdout).toContain('its bytes no longer hash to its name');
    // what b read of a's captures it now holds itself, as fetched and hash-checked copies
    expect(existsSync(join(b, 'blobs', 'sha256'))).toBe(true);

    const doctor = await runCli(['doctor', '--data-dir', a], { env });
    expect(doctor.stdout).toMatch(/postgres  PostgreSQL 15\.\d+.* at postgres:\/\/xjwatch:\*\*\*@127\.0\.0\.1:\d+\/xjt_team_shared, UTF-8 with pg_trgm, schema \d+, up to date/);
    expect(doctor.stdout).toMatch(/objects +s3:\/\/xjwatch-test\/shared-[0-9a-f]+\/ at http:\/\/127\.0\.0\.1:\d+: the bucket answers/);
    expect(doctor.stdout + doctor.stderr).not.toContain('not-to-be-seen');
    expect(doctor.stdout + doctor.stderr).not.toContain('S3RVER');
  }, 180_000);
});

describe('team storage: the short-form index with writers on several machines', () => {
  const WRITER = join(import.meta.dirname, '../../dist/test/fixtures/short-forms-writer.js');
  const query = (url: string, sql: string) => execFileSync('psql', [url, '-XAtqc', sql], { encoding: 'utf8' }).trim();
  const writer = (url: string, ...args: string[]) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [WRITER, ...args], { env: { ...process.env, XJWATCH_DATABASE_URL: url } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (code) => resolve({ code, out, err }));
    });

  /**
   * Another machine's writer is in the middle of `held` (its transaction open in psql) when this
   * one starts `args`: whether this one waited for it (seen in pg_locks), and how it ended once
   * the other committed.
   */
  async function meanwhile(url: string, held: string, ...args: string[]) {
    const session = spawn('psql', [url, '-XAtq', '-v', 'ON_ERROR_STOP=1'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let said = '';
    session.stdout.on('data', (d: Buffer) => (said += d.toString()));
    session.stderr.on('data', (d: Buffer) => (said += d.toString()));
    session.stdin.write(`${held}\nSELECT 'held';\n`);
    for (let i = 0; i < 300 && !said.includes('held'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(said).toBe('held\n');
    let ended = false;
    const done = writer(url, ...args).finally(() => (ended = true));
    const waiting = () => Number(query(url, `SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'short_forms' AND NOT l.granted`));
    let waited = false;
    for (let i = 0; i < 300 && !ended && !(waited = waiting() > 0); i++) await new Promise((r) => setTimeout(r, 100));
    const closed = new Promise((r) => session.on('exit', r));
    session.stdin.end('COMMIT;\n');
    await closed;
    return { waited, ...(await done) };
  }

  it('listing a form waits for a text being stored elsewhere, and storing a text waits for a form being listed: the index misses neither', async () => {
    const url = database('xjt_short_forms_race');
    expect((await writer(url, 'list')).code).toBe(0); // the schema, as any writer makes it
    // a text is stored (its hits found under the share lock) while this machine lists 维权
    const listing = await meanwhile(
      url,
      `BEGIN; INSERT INTO texts (rowid, title, body) VALUES (900001, '', '县教培中心学员家属维权');
       LOCK TABLE short_forms IN SHARE MODE;
       INSERT INTO short_hits (form, capture_id) SELECT f.form, t.rowid FROM short_forms f JOIN texts t ON t.rowid = 900001 WHERE strpos(t.body, f.form) > 0;`,
      'list', '维权',
    );
    expect(listing).toMatchObject({ waited: true, code: 0, out: '["维权"]\n' });
    expect(query(url, `SELECT capture_id FROM short_hits WHERE form = '维权'`)).toBe('900001');
    // 劳改 is listed (its old texts scanned) while this machine stores a text that holds it
    const storing = await meanwhile(
      url,
      `BEGIN; LOCK TABLE short_forms IN SHARE ROW EXCLUSIVE MODE;
       INSERT INTO short_forms (form, indexed_at) VALUES ('劳改', now()::text);
       INSERT INTO short_hits (form, capture_id) SELECT '劳改', rowid FROM texts WHERE strpos(body, '劳改') > 0;`,
      'store', '900002', '曾在劳改农场',
    );
    expect(storing).toMatchObject({ waited: true, code: 0, out: 'stored\n' });
    expect(query(url, `SELECT form || ' ' || capture_id FROM short_hits ORDER BY form, capture_id`).split('\n')).toEqual(['劳改 900002', '维权 900001']);
    // two machines list 援疆 at once: the second waits, finds it listed and lists nothing
    const twice = await meanwhile(
      url,
      `BEGIN; LOCK TABLE short_forms IN SHARE ROW EXCLUSIVE MODE;
       INSERT INTO short_forms (form, indexed_at) VALUES ('援疆', now()::text);`,
      'list', '援疆', '维权',
    );
    expect(twice).toMatchObject({ waited: true, code: 0, out: '[]\n' });
  }, 120_000);
});
