import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { runCli, tempDir } from '../helpers/cli.js';

let fx: RunningFixtures;
let dir: string;

beforeAll(async () => {
  fx = await startFixtureSites();
  dir = tempDir('xjwatch-bad-');
});
afterAll(async () => fx?.close());

function write(name: string, text: string | Buffer): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

const goodSite = (extra = '') => `id: good
name: Good site
home: ${'http://127.0.0.1:9/'}
${extra}lists:
  - url: http://127.0.0.1:9/list.htm
`;

describe('malformed site files exit 2 naming file, line and field', () => {
  it.each([
    ['broken YAML', 'id: x\nname: [unclosed\n', /broken-yaml\.yaml:[23]: not valid YAML/],
    ['unknown field', goodSite().replace('  - url: http://127.0.0.1:9/list.htm', '  - url: http://127.0.0.1:9/list.htm\n    linkz: a'), /unknown-field\.yaml:6: lists\[0\]\.linkz: unknown field "linkz"/],
    ['missing field', 'id: x\nname: X\nlists:\n  - url: http://a.test/\n', /missing-field\.yaml:1: home: is required/],
    ['bad URL', goodSite().replace('http://127.0.0.1:9/list.htm', 'not a url'), /bad-url\.yaml:5: lists\[0\]\.url: must be an absolute http/],
    ['bad cron', goodSite('schedule: "every hour"\n'), /bad-cron\.yaml:4: schedule: is not a valid cron expression/],
    ['bad type', goodSite('rate: { perHost: "two" }\n'), /bad-type\.yaml:4: rate\.perHost:/],
    ['bad regex', goodSite('follow: "(unclosed"\n'), /bad-regex\.yaml:4: follow: is not a valid regular expression/],
    ['bad timezone', goodSite('timezone: Mars/Olympus\n'), /bad-timezone\.yaml:4: timezone: is not a known IANA time zone/],
  ])('%s', async (name, text, message) => {
    const file = write(`${name.replace(/ /g, '-').toLowerCase()}.yaml`, text);
    const r = await runCli(['crawl', file, '--data-dir', join(dir, 'data')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('`sites` lists every site and marks the invalid one, exit 2', async () => {
    const data = tempDir();
    const sitesDir = join(data, 'sites');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sitesDir);
    writeFileSync(join(sitesDir, 'ok.yaml'), goodSite().replace('id: good', 'id: ok'));
    writeFileSync(join(sitesDir, 'broken.yaml'), 'id: broken\nname: B\nhome: http://a.test/\nlists: []\n');
    const r = await runCli(['sites', '--data-dir', data, '--json']);
    expect(r.code).toBe(2);
    expect(r.json.find((s) => s.id === 'ok')).toMatchObject({ home: 'http://127.0.0.1:9/' });
    expect(r.json.find((s) => s.id === 'broken').error).toMatch(/broken\.yaml:4: lists: needs at least one list page/);
  });
});

describe('malformed term files exit 2 naming file, line and field', () => {
  const crawl = (terms: string) => runCli(['crawl', fx.sites.county.listUrl(), '--max-pages', '1', '--terms', terms, '--no-screenshots', '--data-dir', join(dir, 'data2')]);

  it('a duplicate term in a plain file', async () => {
    const r = await crawl(write('dup.txt', '# tracked\n教培中心\n卫星工厂\n教培中心\n'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/dup\.txt:4: term: "教培中心" is listed twice \(also line 2\)/);
  });

  it('a plain file that is not UTF-8', async () => {
    const r = await crawl(write('gbk.txt', iconv.encode('教培中心\n卫星工厂\n', 'gbk')));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/gbk\.txt:1: is not UTF-8 text/);
  });

  it('a YAML entry of the wrong shape', async () => {
    const r = await crawl(write('bad.yaml', 'terms:\n  - term: 教培中心\n  - term: 卫星工厂\n    variants: 卫星厂\n'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:4: terms\[1\]\.variants: /);
  });

  it('an empty file', async () => {
    const r = await crawl(write('empty.txt', '# nothing\n\n'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/empty\.txt: no terms in file/);
  });
});

describe('bad command-line input exits 2', () => {
  it.each([
    [['crawl', 'no-such-site'], /no site "no-such-site"/],
    [['crawl', 'http://127.0.0.1:9/', '--follow', '(['], /--follow: is not a valid regular expression/],
    [['crawl', 'http://127.0.0.1:9/', '--max-pages', 'many'], /--max-pages: expects a whole number/],
    [['crawl'], /missing required argument/],
    [['frobnicate'], /unknown command/],
    [['events', '--kind', 'exploded'], /unknown event kind "exploded"/],
  ])('%j', async (args, message) => {
    const r = await runCli([...args, '--data-dir', join(dir, 'data3')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('reading commands on a folder without a catalogue', async () => {
    const r = await runCli(['events', '--data-dir', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no xjwatch catalogue in/);
  });
});

describe('an unreachable site', () => {
  it('exits 1, says the site could not be reached, and keeps what was captured before', async () => {
    const data = tempDir();
    const ok = await runCli(['crawl', fx.sites.regional.listUrl(), '--max-pages', '1', '--json', '--no-screenshots', '--data-dir', data]);
    expect(ok.code).toBe(0);
    const before = await runCli(['search', '工作', '--json', '--data-dir', data]);
    const down = write('down.yaml', goodSite('retries: { count: 2, backoffMs: 10 }\n'));
    const r = await runCli(['crawl', down, '--data-dir', data]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/UNREACHABLE — no list page could be fetched: http:\/\/127\.0\.0\.1:9\/list\.htm: refused \(connection refused/);
    const h = await runCli(['history', 'http://127.0.0.1:9/list.htm', '--json', '--data-dir', data]);
    expect(h.json.map((x) => x.error?.kind)).toEqual(['refused', 'refused', 'refused']);
    const after = await runCli(['search', '工作', '--json', '--data-dir', data]);
    expect(after.json).toEqual(before.json);
  });
});

describe('hostile config files are a clear exit 2 naming the file, never a stack trace', () => {
  // "billion laughs": each line doubles the one before, 2^20 copies of a string if expanded
  const bomb = (head: string) => `${head}a0: &a0 [lol, lol]\n${Array.from({ length: 20 }, (_, i) => `a${i + 1}: &a${i + 1} [*a${i}, *a${i}]`).join('\n')}\n`;

  it.each([
    ['an alias bomb in a site file', 'bomb-site.yaml', () => bomb(goodSite()), /bomb-site\.yaml: too many YAML aliases/],
    ['an oversized site file', 'huge-site.yaml', () => goodSite() + `# ${'x'.repeat(2 * 1024 * 1024)}\n`, /huge-site\.yaml: is 2\.0 MiB; files of this kind are at most 1 MiB/],
  ])('%s', async (_, name, text, message) => {
    const r = await runCli(['crawl', write(name, text()), '--data-dir', join(dir, 'data3')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
  });

  it.each([
    ['an oversized term file', 'huge-terms.txt', () => `教培中心\n# ${'x'.repeat(9 * 1024 * 1024)}\n`, /huge-terms\.txt: is 9\.0 MiB; files of this kind are at most 8 MiB/],
    ['more terms than are matched', 'many-terms.txt', () => Array.from({ length: 100_001 }, (_, i) => `词${i}`).join('\n'), /many-terms\.txt: holds 100001 terms and variants; at most 100000 are matched/],
  ])('%s', async (_, name, text, message) => {
    const r = await runCli(['terms', '--terms', write(name, text())]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('an alias bomb in a YAML term file', async () => {
    const r = await runCli(['terms', '--terms', write('bomb-terms.yaml', `${bomb('')}terms:\n  - term: 教培中心\n    tags: *a20\n`)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bomb-terms\.yaml: too many YAML aliases/);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });
});
