import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { openCatalogue, TEAM } from '../helpers/catalogue.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../src/fetch/chromium.js';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { startLocalTsa, type LocalTsa } from '../../src/demo/tsa.js';
import { startLocalWayback } from '../fixtures/wayback.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

/**
 * Evidence bundles through the real CLI, checked the way a sceptic would: sha256sum, openssl ts
 * (commands taken from the bundle's own VERIFY.md), an independent WARC reader (Python's standard
 * library), the report in Chromium; then every kind of tampering must be caught by `xjwatch verify`.
 */
let fx: RunningFixtures;
let tsa: LocalTsa;
let dataDir: string;
let work: string;
let file: string;
const url = (id: number) => `${fx.sites.county.base}/info/1103/${id}.htm`;
const HARD = 3101;
const SOFT = 3103;
const HOME = 3105;
const EDITED = 3108;
const env = () => ({ XJWATCH_TSA_URLS: tsa.url });
/** Runs `check` with one bit of the file's middle byte flipped, then puts the file back. */
async function withOneBitFlipped<T>(path: string, check: () => Promise<T>): Promise<T> {
  const original = readFileSync(path);
  const bytes = Buffer.from(original);
  const mid = Math.floor(bytes.length / 2);
  bytes[mid] = bytes[mid]! ^ 0x01;
  writeFileSync(path, bytes);
  try {
    return await check();
  } finally {
    writeFileSync(path, original);
  }
}
const sh = (cmd: string, cwd: string) => spawnSync('bash', ['-c', cmd], { cwd, encoding: 'utf8' });

beforeAll(async () => {
  [fx, tsa] = await Promise.all([startFixtureSites(), startLocalTsa()]);
  work = tempDir('xjwatch-evidence-');
  file = join(work, 'county.yaml');
  writeFileSync(file, siteFile('county', fx.sites.county, { screenshots: true }));
  dataDir = join(work, 'data');
  const crawl = () => runCli(['crawl', file, '--json', '--data-dir', dataDir], { timeoutMs: 180_000 });
  expect((await crawl()).code).toBe(0);
  fx.sites.county.delete(HARD, '404');
  fx.sites.county.delete(SOFT, 'soft-phrase');
  fx.sites.county.delete(HOME, 'redirect-home');
  fx.sites.county.edit(EDITED, (p) => p.paragraphs.splice(1, 0, '经研究决定，在兰干村新建卫星工厂一座，吸纳富余劳动力就业。'));
  expect((await crawl()).code).toBe(0);
  const third = await crawl();
  expect(third.json.filter((e) => e.kind === 'deleted').map((e) => e.url).sort()).toEqual([url(HARD), url(SOFT), url(HOME)].sort());
}, 400_000);
afterAll(async () => Promise.all([fx?.close(), tsa?.close()]));

describe('a page captured, then deleted and confirmed (404)', () => {
  let bundle: string;
  let proved: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    bundle = join(work, 'hard');
    proved = await runCli(['prove', url(HARD), '--out', bundle, '--data-dir', dataDir], { env: env() });
  });

  it('builds the bundle, says the verdict, and packs DIR.zip', () => {
    expect(proved.code, proved.stderr).toBe(0);
    expect(proved.stdout).toContain('deleted (http_404), confirmed on 2 checks with healthy controls');
    expect(proved.stdout).toMatch(/time-stamped by http:\/\/127\.0\.0\.1/);
    for (const f of ['manifest.json', 'SHA256SUMS', 'VERIFY.md', 'report.html', 'evidence.warc.gz', 'custody.jsonl', 'pages/1/captures/1.html', 'pages/1/captures/1.extracted.txt', 'pages/1/pictures/last-live.png', 'pages/1/pictures/last-live.pdf', 'pages/1/pictures/present.png', 'pages/1/pictures/present.pdf']) {
      expect(existsSync(join(bundle, f)), f).toBe(true);
    }
    expect(readdirSync(join(bundle, 'pages/1/checks')).some((f) => f.includes('-404.'))).toBe(true);
    expect(sh(`unzip -tq ${bundle}.zip`, work).status).toBe(0);
    const m = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8'));
    expect(m.pages[0]).toMatchObject({ url: url(HARD), verdict: 'gone-hard', deleted: true, reason: 'http_404', confirmed_on: 2 });
  });

  it('keeps what was handed over: its .zip a blob the catalogue names and history lists, the record frozen in the custody log, a lost .zip named by verify', async () => {
    const zip = readFileSync(`${bundle}.zip`);
    const zipSha = createHash('sha256').update(zip).digest('hex');
    expect(proved.stdout).toMatch(new RegExp(`kept in the catalogue as bundle #\\d+: its \\.zip is blob sha256:${zipSha}`));
    const blob = join('blobs', 'sha256', zipSha.slice(0, 2), zipSha.slice(2, 4), zipSha);
    expect(readFileSync(join(dataDir, blob)).equals(zip)).toBe(true);
    const h = await runCli(['history', url(HARD), '--json', '--data-dir', dataDir]);
    expect(h.json.filter((r) => r.type === 'bundle')).toEqual([expect.objectContaining({ name: 'hard', zip: { sha256: zipSha, size: zip.length }, urls: [url(HARD)] })]);
    const shown = await runCli(['history', url(HARD), '--data-dir', dataDir]);
    expect(shown.stdout).toMatch(new RegExp(`bundle #\\d+ hard on .+: \\d+ files, \\.zip sha256:${zipSha}`));
    const db = openCatalogue(dataDir, { readonly: false });
    const id = (db.prepare(`SELECT id FROM bundles WHERE zip_sha256 = ?`).get(zipSha) as { id: number }).id;
    expect(db.prepare(`SELECT count(*) AS n FROM custody WHERE tbl IN ('bundles', 'bundle_pages') AND row_id IN (SELECT ? UNION SELECT id FROM bundle_pages WHERE bundle_id = ?)`).get(id, id)).toEqual({ n: 2 });
    expect(() => db.prepare(`UPDATE bundles SET name = 'other' WHERE id = ?`).run(id)).toThrow(/never changed: bundles/);
    db.close();
    // the kept .zip lost here: verify names it, and the bundle's folder is no help (the catalogue keeps its own copy)
    const moved = join(work, 'zip-aside');
    cpSync(join(dataDir, blob), moved);
    rmSync(join(dataDir, blob));
    try {
      const v = await runCli(['verify', '--data-dir', dataDir]);
      // in team storage the bucket's copy is the kept one: this machine's is only a local copy
      if (TEAM) expect(v.code, v.stdout).toBe(0);
      else {
        expect(v.code, v.stdout).toBe(1);
        expect(v.stdout).toMatch(new RegExp(`${blob}.*missing`));
      }
    } finally {
      cpSync(moved, join(dataDir, blob));
    }
  });

  it('holds its captures as WACZ: the bundle WARC, an index of its responses and hashes that hold; a forged index is caught even with the sums rewritten', async () => {
    const out = tempDir('xjwatch-wacz-');
    expect(sh(`unzip -q ${join(bundle, 'captures.wacz')} -d wacz`, out).status).toBe(0);
    const w = join(out, 'wacz');
    expect(readFileSync(join(w, 'archive/data.warc.gz')).equals(readFileSync(join(bundle, 'evidence.warc.gz')))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(w, 'datapackage.json'), 'utf8'));
    expect(pkg).toMatchObject({ profile: 'data-package', wacz_version: '1.1.1', mainPageUrl: url(HARD) });
    for (const r of pkg.resources) expect(`sha256:${createHash('sha256').update(readFileSync(join(w, r.path))).digest('hex')}`, r.path).toBe(r.hash);
    const index = readFileSync(join(w, 'indexes/index.cdxj'), 'utf8').trim().split('\n');
    const lines = index.map((l) => JSON.parse(l.slice(l.indexOf('{'))) as { url: string; status: number; offset: number });
    expect(lines.some((l) => l.url === url(HARD) && l.status === 200)).toBe(true);
    expect(lines.some((l) => l.url === url(HARD) && l.status === 404)).toBe(true);
    expect(readFileSync(join(w, 'pages/pages.jsonl'), 'utf8')).toContain(url(HARD));
    // a forger moves an index line to another record and rewrites every hash that would show it
    const forged = join(out, 'forged');
    cpSync(bundle, forged, { recursive: true });
    const moved = index.map((l, i) => (i === 0 ? l.replace(/"offset":(\d+)/, (_m, n: string) => `"offset":${Number(n) + 1}`) : l)).join('\n') + '\n';
    writeFileSync(join(w, 'indexes/index.cdxj'), moved);
    const entry = pkg.resources.find((r: { path: string }) => r.path === 'indexes/index.cdxj');
    Object.assign(entry, { hash: `sha256:${createHash('sha256').update(moved).digest('hex')}`, bytes: Buffer.byteLength(moved) });
    const dp = JSON.stringify(pkg, null, 2);
    writeFileSync(join(w, 'datapackage.json'), dp);
    writeFileSync(join(w, 'datapackage-digest.json'), JSON.stringify({ path: 'datapackage.json', hash: `sha256:${createHash('sha256').update(dp).digest('hex')}` }));
    rmSync(join(forged, 'captures.wacz'));
    const zip = new yazl.ZipFile();
    for (const f of ['archive/data.warc.gz', 'indexes/index.cdxj', 'pages/pages.jsonl', 'datapackage.json', 'datapackage-digest.json']) zip.addFile(join(w, f), f, { compress: false });
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(join(forged, 'captures.wacz')));
    const bytes = readFileSync(join(forged, 'captures.wacz'));
    const sha = createHash('sha256').update(bytes).digest('hex');
    const m = JSON.parse(readFileSync(join(forged, 'manifest.json'), 'utf8'));
    for (const f of m.files) if (f.path === 'captures.wacz') Object.assign(f, { sha256: sha, size: bytes.length });
    writeFileSync(join(forged, 'manifest.json'), JSON.stringify(m, null, 2));
    const msha = createHash('sha256').update(readFileSync(join(forged, 'manifest.json'))).digest('hex');
    writeFileSync(join(forged, 'SHA256SUMS'), readFileSync(join(forged, 'SHA256SUMS'), 'utf8').split('\n').map((l) => (l.endsWith('  captures.wacz') ? `${sha}  captures.wacz` : l.endsWith('  manifest.json') ? `${msha}  manifest.json` : l)).join('\n'));
    const v = await runCli(['verify', forged]);
    expect(v.code, v.stdout).toBe(1);
    expect(v.stdout).toMatch(/captures\.wacz:indexes\/index\.cdxj: the record the index gives for .* is not whole/);
  });

  it('passes sha256sum -c SHA256SUMS, and every command VERIFY.md gives for the time-stamps', () => {
    const sums = sh('sha256sum -c SHA256SUMS', bundle);
    expect(sums.status, sums.stdout + sums.stderr).toBe(0);
    expect(sums.stdout).toContain('manifest.json: OK');
    const verifyMd = readFileSync(join(bundle, 'VERIFY.md'), 'utf8');
    const stampCmd = verifyMd.split('\n').find((l) => l.trim().startsWith('for t in timestamps/*.tsr'))!.trim();
    const stamps = sh(stampCmd, bundle);
    expect(stamps.status, stamps.stderr).toBe(0);
    expect(stamps.stdout).toContain('Verification: OK');
    const custodyCmd = verifyMd.split('\n').find((l) => l.trim().startsWith('python3 -c'))!.trim();
    expect(sh(custodyCmd, bundle).stdout.trim()).toBe('custody entries OK');
  });

  it('holds WARC records that another reader parses with every digest right: the captures, the 404s and the controls', () => {
    const out = execFileSync('python3', [join(ROOT, 'test/helpers/warc_read.py'), join(bundle, 'evidence.warc.gz')], { encoding: 'utf8' });
    const recs = out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; uri: string; ip: string; status?: string; problems: string[] });
    expect(recs.every((r) => r.problems.length === 0)).toBe(true);
    expect(recs[0]!.type).toBe('warcinfo');
    const responses = recs.filter((r) => r.type === 'response');
    expect(responses.filter((r) => r.uri === url(HARD)).map((r) => r.status)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found', 'HTTP/1.1 404 Not Found']);
    expect(responses.some((r) => r.uri === `${fx.sites.county.base}/` && r.status!.includes('200'))).toBe(true); // home control
    expect(responses.filter((r) => /\/info\/1103\/\d{6,}\.htm$/.test(r.uri)).length).toBeGreaterThanOrEqual(2); // made-up addresses
    expect(responses.every((r) => r.ip === '127.0.0.1')).toBe(true);
    // the bodies kept as files are the WARC payloads
    const body = readFileSync(join(bundle, 'pages/1/captures/1.html'));
    const sha = execFileSync('sha256sum', [join(bundle, 'pages/1/captures/1.html')], { encoding: 'utf8' }).split(' ')[0];
    expect(body.length).toBeGreaterThan(0);
    expect(out).toContain(sha);
  });

  it('has a report that shows the Chinese text, the timeline and the verdict, offline, in Chromium', async () => {
    const { browser } = await launchChromium();
    try {
      const page = await browser.newPage();
      const remote: string[] = [];
      page.on('request', (r) => void (r.url().startsWith('file:') || remote.push(r.url())));
      await page.goto(`file://${join(bundle, 'report.html')}`);
      const text = await page.locator('body').innerText();
      expect(remote).toEqual([]);
      expect(text).toContain('Verdict: deleted (http_404), confirmed on 2 checks with healthy controls');
      const title = fx.sites.county.postings.find((p) => p.id === HARD)!.title;
      expect(text).toContain(title);
      expect(await page.locator('table.timeline tr').count()).toBe(1 + 3); // header, the capture, two checks
      expect(text).toContain('controls healthy');
      expect(await page.locator('img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth > 0))).toEqual([true, true]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('a hostile bundle: links and pipes are named and never followed or read, each within seconds (exit 1); the .zip verifies in place', async () => {
    const copy = (name: string) => {
      const d = join(work, `hostile-${name}`);
      rmSync(d, { recursive: true, force: true });
      cpSync(bundle, d, { recursive: true });
      return d;
    };
    const passwd = readFileSync('/etc/passwd');
    // a listed file replaced by a link to /etc/passwd, manifest and SHA256SUMS rewritten to match it
    const linked = copy('link');
    const target = 'pages/1/captures/1.html';
    const sha = createHash('sha256').update(passwd).digest('hex');
    rmSync(join(linked, target));
    symlinkSync('/etc/passwd', join(linked, target));
    const m = JSON.parse(readFileSync(join(linked, 'manifest.json'), 'utf8'));
    for (const f of m.files) if (f.path === target) Object.assign(f, { sha256: sha, size: passwd.length });
    m.files.push({ path: 'report.html/inner', sha256: sha, size: 1 }); // a listed file under a file
    writeFileSync(join(linked, 'manifest.json'), JSON.stringify(m, null, 2));
    const msha = createHash('sha256').update(readFileSync(join(linked, 'manifest.json'))).digest('hex');
    const sums = readFileSync(join(linked, 'SHA256SUMS'), 'utf8').split('\n').map((l) => (l.endsWith(`  ${target}`) ? `${sha}  ${target}` : l.endsWith('  manifest.json') ? `${msha}  manifest.json` : l));
    writeFileSync(join(linked, 'SHA256SUMS'), sums.join('\n'));
    symlinkSync('/etc', join(linked, 'extra'));
    const a = await runCli(['verify', linked], { timeoutMs: 20_000 });
    expect(a.code).toBe(1);
    expect(a.stdout).toContain(`ALTERED  ${target}: a symbolic link (to /etc/passwd)`);
    expect(a.stdout).toContain('ALTERED  extra: a symbolic link (to /etc)');
    expect(a.stdout).toContain('ALTERED  report.html/inner: report.html is not a folder');
    expect(a.stdout).not.toContain('bundle intact');
    // the WARC linked to /dev/zero, a listed file replaced by a named pipe: neither is read
    const endless = copy('endless');
    rmSync(join(endless, 'evidence.warc.gz'));
    symlinkSync('/dev/zero', join(endless, 'evidence.warc.gz'));
    rmSync(join(endless, 'report.html'));
    execFileSync('mkfifo', [join(endless, 'report.html')]);
    const b = await runCli(['verify', endless], { timeoutMs: 20_000 });
    expect(b.code).toBe(1);
    expect(b.stdout).toContain('ALTERED  evidence.warc.gz: a symbolic link (to /dev/zero)');
    expect(b.stdout).toContain('ALTERED  report.html: a named pipe');
    // a pipe given as the bundle is refused unread
    const pipe = join(work, 'hostile-pipe');
    rmSync(pipe, { force: true });
    execFileSync('mkfifo', [pipe]);
    const p = await runCli(['verify', pipe], { timeoutMs: 20_000 });
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('is not a folder (nor a file)');
    // the bundle's .zip is verified in place (test/cli/verify-zip.test.ts has the hostile ones)
    const z = await runCli(['verify', `${bundle}.zip`]);
    expect(z.code, z.stdout + z.stderr).toBe(0);
    expect(z.stdout).toMatch(/bundle intact \(read in place from hard\.zip, folder hard\/\): \d+ files, \d+ WARC records, 1 time-stamp/);
  });

  it('xjwatch verify passes the bundle, then names the file when any one byte changes, and exits 1', async () => {
    const ok = await runCli(['verify', bundle]);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/bundle intact: \d+ files, \d+ WARC records, 1 time-stamp/);
    const tsr = readdirSync(join(bundle, 'timestamps')).find((f) => f.endsWith('.tsr'))!;
    for (const target of ['pages/1/captures/1.html', 'evidence.warc.gz', 'report.html', 'manifest.json', 'custody.jsonl', `timestamps/${tsr}`]) {
      const bad = await withOneBitFlipped(join(bundle, target), () => runCli(['verify', bundle]));
      expect(bad.code, `${target}\n${bad.stdout}`).toBe(1);
      expect(bad.stdout, target).toContain(`ALTERED  ${target}`);
    }
    expect((await runCli(['verify', bundle])).code).toBe(0);
    // SHA256SUMS itself is checked line by line, as sha256sum -c does
    const sums = readFileSync(join(bundle, 'SHA256SUMS'), 'utf8');
    writeFileSync(join(bundle, 'SHA256SUMS'), sums.replace(/^[0-9a-f]{64}(  report\.html)$/m, `${'0'.repeat(64)}$1`));
    const badSums = await runCli(['verify', bundle]);
    writeFileSync(join(bundle, 'SHA256SUMS'), sums);
    expect(badSums.code).toBe(1);
    expect(badSums.stdout).toContain('ALTERED  report.html: altered: its SHA-256 differs from SHA256SUMS');
    // the time-stamp is checked against the root the bundle carries, which is named for comparison
    expect(ok.stdout).toMatch(/signed under the root the bundle carries: Local Test TSA Root CA \(SHA-256 fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}\)/);
    // roots the reader brings: the authority's own passes, another's fails
    writeFileSync(join(work, 'tsa-root.pem'), tsa.rootPem);
    const pinnedOk = await runCli(['verify', bundle, '--ca', join(work, 'tsa-root.pem')]);
    expect(pinnedOk.code, pinnedOk.stdout).toBe(0);
    expect(pinnedOk.stdout).toContain('signed under the root you trust');
    const stranger = await startLocalTsa('Stranger TSA');
    writeFileSync(join(work, 'stranger-root.pem'), stranger.rootPem);
    await stranger.close();
    const pinnedBad = await runCli(['verify', bundle, '--ca', join(work, 'stranger-root.pem')]);
    expect(pinnedBad.code).toBe(1);
    expect(pinnedBad.stdout).toMatch(/ALTERED  timestamps\/.*\.tsr: the time-stamp does not verify/);
    // litter from a file manager is a note; a file slipped in afterwards is not
    writeFileSync(join(bundle, '.DS_Store'), 'x');
    const litter = await runCli(['verify', bundle]);
    expect(litter.code).toBe(0);
    expect(litter.stdout).toContain('note     .DS_Store');
    execFileSync('rm', [join(bundle, '.DS_Store')]);
    writeFileSync(join(bundle, 'pages/1/extra.txt'), 'added later');
    const added = await runCli(['verify', bundle]);
    expect(added.code).toBe(1);
    expect(added.stdout).toContain('pages/1/extra.txt');
  }, 60_000);
});

describe('the same flow for the other kinds of deletion, and a change', () => {
  it.each([
    [SOFT, 'gone-soft', 'deleted (soft_404), confirmed on 2 checks with healthy controls'],
    [HOME, 'redirected-home', 'deleted (redirect_home), confirmed on 2 checks with healthy controls'],
  ])('page %i: %s', async (id, verdict, headline) => {
    const bundle = join(work, `p${id}`);
    const r = await runCli(['prove', url(id), '--out', bundle, '--data-dir', dataDir, '--json'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json[0].pages[0]).toEqual({ url: url(id), verdict, headline });
    expect(sh('sha256sum -c --quiet SHA256SUMS', bundle).status).toBe(0);
    expect(readFileSync(join(bundle, 'report.html'), 'utf8')).toContain(headline);
    expect((await runCli(['verify', bundle])).code).toBe(0);
  });

  it('an edited page is present-altered, with the word diff in the bundle', async () => {
    const bundle = join(work, 'edited');
    const r = await runCli(['prove', url(EDITED), '--out', bundle, '--data-dir', dataDir, '--json'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json[0].pages[0].verdict).toBe('present-altered');
    expect(readFileSync(join(bundle, 'pages/1/diff.txt'), 'utf8')).toContain('卫星工厂');
    expect(readFileSync(join(bundle, 'report.html'), 'utf8')).toMatch(/<ins>[^<]*卫星工厂/);
  });

  it('several URLs make one bundle, one section each', async () => {
    const bundle = join(work, 'several');
    const r = await runCli(['prove', url(HARD), url(SOFT), '--out', bundle, '--data-dir', dataDir, '--json'], { env: { XJWATCH_TSA_URLS: '' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json[0].pages.map((p: { verdict: string }) => p.verdict)).toEqual(['gone-hard', 'gone-soft']);
    expect(existsSync(join(bundle, 'pages/2/captures/1.html'))).toBe(true);
  });
});

describe('time-stamps when no authority answers', () => {
  it('the bundle is complete and says so; xjwatch stamp adds the stamp later', async () => {
    const bundle = join(work, 'unstamped');
    tsa.refuse = true;
    const r = await runCli(['prove', url(HARD), '--out', bundle, '--data-dir', dataDir], { env: env() });
    tsa.refuse = false;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('failed: HTTP 503');
    expect(readFileSync(join(bundle, 'timestamps/README.txt'), 'utf8')).toContain('NO TIME-STAMP WAS OBTAINED');
    const before = await runCli(['verify', bundle]);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain('no time-stamp');
    const sums = readFileSync(join(bundle, 'SHA256SUMS'), 'utf8');

    const down = await runCli(['stamp', bundle], { env: { XJWATCH_TSA_URLS: 'http://127.0.0.1:9/tsr' } });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('no time-stamp authority answered');

    const s = await runCli(['stamp', bundle], { env: env() });
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/stamped\s+http:\/\/127\.0\.0\.1:\d+\/tsr/);
    expect(readFileSync(join(bundle, 'SHA256SUMS'), 'utf8')).toBe(sums); // stamping changes nothing hashed
    const after = await runCli(['verify', bundle]);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('1 time-stamp');
    const stamp = sh('for t in timestamps/*.tsr; do b="${t%.tsr}"; openssl ts -verify -data manifest.json -in "$t" -CAfile "$b.root.pem" -untrusted "$b.chain.pem"; done', bundle);
    expect(stamp.stdout).toContain('Verification: OK');
    expect(sh(`unzip -l ${bundle}.zip`, work).stdout).toMatch(/timestamps\/127\.0\.0\.1-\d+\.tsr/);
  });

  it('without any authority configured, stamp says what to set (exit 2)', async () => {
    const r = await runCli(['stamp', join(work, 'hard')], { env: { XJWATCH_TSA_URLS: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('XJWATCH_TSA_URLS');
  });
});

describe("the Internet Archive's Save Page Now (--wayback, off by default)", () => {
  it('asks for an independent capture with capture_all, waits for it, and records it in the bundle and report', async () => {
    const wb = await startLocalWayback();
    try {
      const wenv = { XJWATCH_TSA_URLS: '', XJWATCH_WAYBACK_URL: wb.url, XJWATCH_IA_KEYS: 'acc:sec', XJWATCH_WAYBACK_POLL_MS: '50' };
      const plain = await runCli(['prove', url(HARD), '--out', join(work, 'no-wayback'), '--data-dir', dataDir], { env: wenv });
      expect(plain.code).toBe(0);
      expect(wb.saves).toEqual([]); // never without being asked
      const bundle = join(work, 'wayback');
      const r = await runCli(['prove', url(HARD), '--out', bundle, '--data-dir', dataDir, '--wayback'], { env: wenv });
      expect(r.code, r.stderr).toBe(0);
      expect(wb.saves).toEqual([{ url: url(HARD), captureAll: '1', auth: 'LOW acc:sec' }]);
      expect(r.stdout).toContain(`Internet Archive: ${wb.url}/web/20261123120000/${url(HARD)}`);
      const saved = JSON.parse(readFileSync(join(bundle, 'wayback.json'), 'utf8'));
      expect(saved[0]).toMatchObject({ url: url(HARD), status: 'success', timestamp: '20261123120000' });
      expect(readFileSync(join(bundle, 'report.html'), 'utf8')).toContain('archived by the Internet Archive at 20261123120000');
      expect(readFileSync(join(bundle, 'SHA256SUMS'), 'utf8')).toContain('wayback.json');
      wb.fail = true;
      const failed = await runCli(['prove', url(HARD), '--out', join(work, 'wayback-failed'), '--data-dir', dataDir, '--wayback'], { env: wenv });
      expect(failed.code).toBe(0); // the bundle does not depend on it
      expect(failed.stdout).toContain("Internet Archive error: Couldn't resolve host");
    } finally {
      await wb.close();
    }
  });
});

describe('bad input', () => {
  it('a URL never captured, an existing output folder, a folder that is not a bundle: exit 2 naming it', async () => {
    const never = await runCli(['prove', `${fx.sites.county.base}/info/1103/1.htm`, '--out', join(work, 'never'), '--data-dir', dataDir]);
    expect(never.code).toBe(2);
    expect(never.stderr).toContain('never captured or checked');
    expect(existsSync(join(work, 'never'))).toBe(false);
    const exists = await runCli(['prove', url(HARD), '--out', join(work, 'hard'), '--data-dir', dataDir]);
    expect(exists.code).toBe(2);
    expect(exists.stderr).toContain('already exists');
    const notBundle = await runCli(['verify', work]);
    expect(notBundle.code).toBe(1);
    expect(notBundle.stdout).toContain('manifest.json');
  });

  it('a WARC file gone from the data directory: one line naming it and what it holds (exit 1), no bundle, no stack; in team storage fetched back from the bucket', async () => {
    const db = openCatalogue(dataDir);
    const { warc_file: warc } = db.prepare(`SELECT f.warc_file FROM captures c JOIN pages p ON p.id = c.page_id JOIN fetches f ON f.id = c.fetch_id WHERE p.url = ? ORDER BY c.id LIMIT 1`).get(url(EDITED)) as { warc_file: string };
    db.close();
    const aside = join(work, 'warc-aside');
    cpSync(join(dataDir, warc), aside);
    rmSync(join(dataDir, warc));
    try {
      const r = await runCli(['prove', url(EDITED), '--out', join(work, 'no-warc'), '--data-dir', dataDir]);
      if (TEAM) {
        // in team storage the bucket has it: fetched back into the data directory, and the bundle made
        expect(r.code, r.stderr).toBe(0);
        expect(readFileSync(join(dataDir, warc)).equals(readFileSync(aside))).toBe(true);
        return;
      }
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`cannot make the bundle: the WARC file ${warc}, which holds ${url(EDITED)} as fetched at`);
      expect(r.stderr).toContain('is missing from this data directory');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(work, 'no-warc'))).toBe(false);
    } finally {
      cpSync(aside, join(dataDir, warc));
    }
  });
});

describe('xjwatch verify --data-dir: the whole store', () => {
  it('passes an untouched store, then names an altered blob, WARC file or catalogue row (exit 1)', async () => {
    // a bundle kept in the data directory pins the log's head as it was
    expect((await runCli(['prove', url(HARD), '--out', join(dataDir, 'evidence', 'pinned'), '--data-dir', dataDir], { env: { XJWATCH_TSA_URLS: '' } })).code).toBe(0);
    const ok = await runCli(['verify', '--data-dir', dataDir]);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toContain('store intact');

    const db = openCatalogue(dataDir, { readonly: false });
    const cap = db.prepare(`SELECT c.id, c.body_sha256, f.warc_file FROM captures c JOIN fetches f ON f.id = c.fetch_id ORDER BY c.id LIMIT 1`).get() as { id: number; body_sha256: string; warc_file: string };
    db.close();
    const blob = join('blobs', 'sha256', cap.body_sha256.slice(0, 2), cap.body_sha256.slice(2, 4), cap.body_sha256);
    for (const target of [blob, cap.warc_file]) {
      const bad = await withOneBitFlipped(join(dataDir, target), () => runCli(['verify', '--data-dir', dataDir]));
      expect(bad.code, bad.stdout).toBe(1);
      expect(bad.stdout).toContain(`ALTERED  ${target}`);
    }

    // a row rewritten behind xjwatch's back (the tamperer must first drop the guard)
    const w = openCatalogue(dataDir, { readonly: false });
    w.exec(`DROP TRIGGER custody_captures_frozen${TEAM ? ' ON captures' : ''}`);
    w.prepare(`UPDATE captures SET title = '改过的标题' WHERE id = ?`).run(cap.id);
    w.close();
    const row = await runCli(['verify', '--data-dir', dataDir]);
    expect(row.code).toBe(1);
    expect(row.stdout).toMatch(new RegExp(`custody #\\d+ \\(captures ${cap.id}\\): the captures row was changed after it was logged`));

    // a log rewritten after a bundle pinned its head
    const pinned = JSON.parse(readFileSync(join(dataDir, 'evidence', 'pinned', 'manifest.json'), 'utf8')).custody_head as { seq: number; hash: string };
    const w2 = openCatalogue(dataDir, { readonly: false });
    w2.exec(`DROP TRIGGER custody_append_only${TEAM ? ' ON custody' : ''}`);
    w2.prepare(`UPDATE custody SET hash = ? WHERE seq = ?`).run('f'.repeat(64), pinned.seq);
    w2.close();
    const rewritten = await runCli(['verify', '--data-dir', dataDir]);
    expect(rewritten.code).toBe(1);
    expect(rewritten.stdout).toContain(`custody #${pinned.seq}: the log no longer holds the entry the bundle evidence/pinned pinned`);
  });
});
