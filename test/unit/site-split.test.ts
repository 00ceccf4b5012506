import { describe, expect, it } from 'vitest';
import { resolveSite, type Site } from '../../src/config/site-file.js';
import { siteSchema } from '../../src/config/site-schema.js';
import { divideConcurrency, hostGroups, splitSites } from '../../src/schedule/site-split.js';

function site(id: string, home: string, more: { lists?: string[]; pinned?: string[]; redirects?: string[] } = {}): Site {
  const file = siteSchema.parse({ id, name: id, home, lists: (more.lists ?? [home]).map((url) => ({ url })), pinned: more.pinned ?? [], redirects: { hosts: more.redirects ?? [] } });
  return resolveSite(file, 'test', {});
}

const ids = (groups: Site[][]) => groups.map((g) => g.map((s) => s.id));

describe('splitting a watcher\'s sites over worker threads', () => {
  it('keeps together sites that share a host: by registrable domain for names, by host and port for addresses', () => {
    const sites = [
      site('kashi', 'http://www.kashi.gov.cn/'),
      site('kashi-files', 'http://static.kashi.gov.cn/', { lists: ['http://zwgk.kashi.gov.cn/list.htm'] }),
      site('xinjiang', 'http://www.xinjiang.gov.cn/'),
      site('a', 'http://127.0.0.1:8001/'),
      site('b', 'http://127.0.0.1:8002/'),
      site('c', 'http://127.0.0.1:8003/', { pinned: ['http://127.0.0.1:8001/page.htm'] }),
    ];
    expect(ids(hostGroups(sites))).toEqual([['kashi', 'kashi-files'], ['xinjiang'], ['a', 'c'], ['b']]);
  });

  it('joins the sites a redirect host may reach: exact, *.suffix, and * (every site)', () => {
    const sites = [
      site('kashi', 'http://www.kashi.gov.cn/'),
      site('hotan', 'http://www.hotan.gov.cn/'),
      site('mirror', 'http://example.org/', { redirects: ['*.hotan.gov.cn'] }),
      site('loop', 'http://127.0.0.1:8001/', { redirects: ['127.0.0.2'] }),
      site('loop2', 'http://127.0.0.2:8002/'),
    ];
    expect(ids(hostGroups(sites))).toEqual([['kashi'], ['hotan', 'mirror'], ['loop', 'loop2']]);
    expect(hostGroups([...sites, site('anywhere', 'http://example.net/', { redirects: ['*'] })])).toHaveLength(1);
  });

  it('deals the groups out largest first to the share with the fewest sites, keeping the sites\' order', () => {
    const sites = [
      site('a', 'http://127.0.0.1:8001/'),
      site('a2', 'http://127.0.0.1:8001/other/'),
      site('b', 'http://127.0.0.1:8002/'),
      site('a3', 'http://127.0.0.1:8001/third/'),
      site('c', 'http://127.0.0.1:8003/'),
      site('d', 'http://127.0.0.1:8004/'),
    ];
    expect(ids(splitSites(sites, 2))).toEqual([['a', 'a2', 'a3'], ['b', 'c', 'd']]);
    // more workers than groups: as many shares as groups
    expect(ids(splitSites(sites.slice(0, 2), 4))).toEqual([['a', 'a2']]);
  });

  it('divides the concurrency in proportion, each share at least one, adding up to the whole', () => {
    expect(divideConcurrency(4, [3, 2])).toEqual([2, 2]);
    expect(divideConcurrency(500, [250, 250])).toEqual([250, 250]);
    expect(divideConcurrency(2, [10, 1])).toEqual([1, 1]);
    expect(divideConcurrency(10, [7, 2, 1])).toEqual([7, 2, 1]);
    expect(divideConcurrency(5, [9, 1])).toEqual([4, 1]);
  });
});
