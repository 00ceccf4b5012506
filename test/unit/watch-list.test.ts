import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRunTargets, runTargetDirs } from '../../src/config/run-targets.js';
import { loadSiteFile } from '../../src/config/site-file.js';
import { hostSiteId, SiteIndex } from '../../src/config/site-of-url.js';
import { loadWatchList } from '../../src/config/watch-list.js';
import { watchListYaml } from '../../src/config/watch-list-write.js';
import { ROOT, tempDir } from '../helpers/cli.js';

const dir = tempDir('xjwatch-watchlist-');
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

describe('watch list files', () => {
  it('load what import writes, footnotes and context included', () => {
    const list = {
      name: 'zenz-2019',
      imported_at: '2026-12-01T10:00:00.000Z',
      entries: [{ url: 'http://www.xjdrc.gov.cn/info/11460/22308.htm', site: 'xjdrc', footnotes: [20], context: [{ footnote: 20, sentence: 'In a document…', note: '… or http://archive.is/HpXVV' }], archived: ['http://archive.is/HpXVV'] }],
    };
    const f = write('ok.yaml', watchListYaml(list, 'made by a test'));
    const loaded = loadWatchList(f);
    expect(loaded.entries[0]).toEqual(list.entries[0]);
    expect(loaded.name).toBe('zenz-2019');
  });

  it.each([
    ['an unknown field', 'name: x\nentries:\n  - url: http://www.gov.cn/a.htm\n    footnote: 3\n', /unknown\.yaml:4: entries\[0\]\.footnote: unknown field "footnote"/],
    ['a URL given twice', 'name: x\nentries:\n  - url: http://www.gov.cn/a.htm\n  - url: http://www.gov.cn/b.htm\n  - url: http://www.gov.cn/a.htm\n', /twice\.yaml:5: entries\[2\]\.url: is listed twice \(also entries\[0\]\)/],
    ['no entries', 'name: x\nentries: []\n', /empty\.yaml:2: entries: needs at least one entry/],
    ['a relative URL', 'name: x\nentries:\n  - url: /info/1.htm\n', /relative\.yaml:3: entries\[0\]\.url: must be an absolute http/],
    ['a bad site id', 'name: x\nentries:\n  - url: http://www.gov.cn/a.htm\n    site: Kashi Prefecture\n', /site\.yaml:4: entries\[0\]\.site: must be lower-case/],
  ])('refuse %s, naming file, line and field', (_what, text, message) => {
    const name = String(message).match(/\/(\w+)\\\.yaml/)![1]!;
    expect(() => loadWatchList(write(`${name}.yaml`, text))).toThrow(message);
  });
});

describe('which site a cited page is watched on', () => {
  const sites = join(dir, 'sites');
  mkdirSync(sites, { recursive: true });
  writeFileSync(join(sites, 'kashi.yaml'), 'id: kashi\nname: Kashgar\nhome: https://www.kashi.gov.cn/\nlists:\n  - url: https://www.kashi.gov.cn/ksdqxzgs/c106707/common_list.shtml\n');
  writeFileSync(join(sites, 'drc.yaml'), 'id: drc\nname: DRC\nhome: http://www.xjdrc.gov.cn/\nlists:\n  - url: http://www.xjdrc.gov.cn/xxgk/index.htm\nredirects: { hosts: [220.171.42.19] }\n');
  writeFileSync(join(sites, 'local.yaml'), 'id: local\nname: L\nhome: http://127.0.0.1:8001/\nlists:\n  - url: http://127.0.0.1:8001/list.htm\n');
  const index = new SiteIndex([sites]);

  it('the site file of its host or domain (kashi.gov.cn is www.kashi.gov.cn), or of a redirect host it names; else its own host', () => {
    expect(index.covering('http://www.kashi.gov.cn/Item/38964.aspx')?.id).toBe('kashi');
    expect(index.covering('http://kashi.gov.cn/Government/PublicInfoShow.aspx?ID=2963')?.id).toBe('kashi');
    expect(index.covering('http://220.171.42.19/info/9923/23516.htm')?.id).toBe('drc');
    expect(index.covering('http://www.xjyl.gov.cn/info/1103/139006.htm')).toBeUndefined();
    // a port is a host: another server on 127.0.0.1 is not this site
    expect(index.covering('http://127.0.0.1:8002/a.htm')).toBeUndefined();
    expect(hostSiteId('http://wap.xjyl.gov.cn/info/1086/46306.htm')).toBe('wap-xjyl-gov-cn');
  });

  it('crawl <list>: a site named in full gains the pins; one only the list reaches walks no list; the catalogue\'s site wins', () => {
    const lists = join(dir, 'lists');
    mkdirSync(lists, { recursive: true });
    writeFileSync(
      join(lists, 'cited.yaml'),
      [
        'name: cited',
        'entries:',
        '  - url: http://www.kashi.gov.cn/Item/38964.aspx',
        '  - url: http://www.xjdrc.gov.cn/info/11460/22308.htm',
        '  - url: http://www.xjyl.gov.cn/info/1103/139006.htm',
        '  - url: http://www.xjyl.gov.cn/info/egovinfo/1001/xxgk_content/BB005-07_B/2018-1220001.htm',
        '  - url: http://www.ws.gov.cn/old.htm',
        '',
      ].join('\n'),
    );
    const known = (url: string) => (url === 'http://www.ws.gov.cn/old.htm' ? 'ws-old' : undefined);
    const t = resolveRunTargets(['kashi', 'cited'], { sites: [sites], lists: [lists], standing: [] }, {}, known);
    const byId = new Map(t.sites.map((s) => [s.id, s]));
    expect([...byId.keys()].sort()).toEqual(['drc', 'kashi', 'ws-old', 'www-xjyl-gov-cn']);
    expect(byId.get('kashi')!.lists).toHaveLength(1);
    expect(byId.get('kashi')!.pinned).toEqual(['http://www.kashi.gov.cn/Item/38964.aspx']);
    expect(byId.get('drc')!.lists).toEqual([]);
    expect(byId.get('drc')!.rate.delayMs).toBe(loadSiteFile(join(sites, 'drc.yaml')).rate.delayMs);
    expect(byId.get('www-xjyl-gov-cn')!.pinned).toHaveLength(2);
    expect(byId.get('www-xjyl-gov-cn')!.home).toBe('http://www.xjyl.gov.cn/');
    expect([...t.listOnly.keys()].sort()).toEqual(['drc', 'ws-old', 'www-xjyl-gov-cn']);
    expect(t.listOnly.has('kashi')).toBe(false);
  });

  it('a standing list pins its pages on the sites a run passes over, and adds no site', () => {
    const standing = join(dir, 'standing');
    mkdirSync(standing, { recursive: true });
    writeFileSync(join(standing, 'mine.yaml'), 'name: mine\nentries:\n  - url: https://www.kashi.gov.cn/a.shtml\n  - url: http://www.xjht.gov.cn/b.htm\n');
    writeFileSync(join(standing, 'broken.yaml'), 'name: broken\nentries: 3\n');
    const t = resolveRunTargets(['kashi'], { sites: [sites], lists: [standing], standing: [standing] }, {});
    expect(t.sites.map((s) => [s.id, s.pinned])).toEqual([['kashi', ['https://www.kashi.gov.cn/a.shtml']]]);
    expect(t.listOnly.size).toBe(0);
    expect(t.problems).toEqual([expect.stringMatching(/broken\.yaml:2: entries:/)]);
  });
});

describe('the bundled list', () => {
  it('`crawl zenz-2019` resolves to a pass over each of its 45 pages, on 23 sites, walking no list', () => {
    const t = resolveRunTargets(['zenz-2019'], runTargetDirs(join(dir, 'no-data'), ROOT), {});
    expect([...t.listOnly.values()].flat()).toHaveLength(45);
    // 25 hosts; kashi.gov.cn and www.kashi.gov.cn are one site, so are www. and wap.xjyl.gov.cn
    expect(t.sites).toHaveLength(23);
    expect(t.sites.every((s) => s.lists.length === 0 && s.pinned.length > 0)).toBe(true);
    const kashi = t.sites.find((s) => s.id === 'kashi')!;
    expect(kashi.rate.delayMs).toBe(3000); // the site file's settings
    expect(kashi.pinned).toHaveLength(3);
    const drc = t.sites.find((s) => s.id === 'xjdrc')!;
    expect(drc.pinned).toHaveLength(6);
    expect(drc.source).toMatch(/crawlers\/xjdrc\.yaml \(its pinned pages only/); // the site file's settings, its lists not walked
    expect(t.sites.find((s) => s.id === 'xjyl')!.pinned).toHaveLength(3);
    // The national hosts (www.gov.cn, scio, chinapeace, 93.gov.cn, zytzb) have no site file, by
    // choice: the report cites a few national news pages there; their lists are the whole
    // country's news. They are pinned-only sites of their own.
    expect(t.sites.find((s) => s.id === 'www-gov-cn')!.pinned).toHaveLength(4);
  });
});
