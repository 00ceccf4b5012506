import { describe, expect, it } from 'vitest';
import { resolveSite } from '../../src/config/site-file.js';
import { siteSchema } from '../../src/config/site-schema.js';
import { errorFromWire, errorToWire, siteFromWire, siteToWire } from '../../src/schedule/watch-messages.js';
import { WriteFailure } from '../../src/store/write-failure.js';

describe('what crosses to and from a watcher\'s worker threads', () => {
  it('a site with a proxy login survives the structured clone, its credentials behind auth() again', () => {
    const file = siteSchema.parse({ id: 'kashi', name: 'kashi', home: 'http://www.kashi.gov.cn/', lists: [{ url: 'http://www.kashi.gov.cn/list.htm' }], proxy: 'env:XJWATCH_PROXY_CN' });
    const site = resolveSite(file, 'test', { XJWATCH_PROXY_CN: 'http://user:p%40ss@10.0.0.1:3128' });
    expect(() => structuredClone(site)).toThrow(); // auth() is a function: why sites are converted
    const back = siteFromWire(structuredClone(siteToWire(site)));
    expect(back.proxy?.auth?.()).toEqual({ username: 'user', password: 'p@ss' });
    expect(JSON.stringify(back)).not.toContain('p@ss');
    expect({ ...back, proxy: { ...back.proxy, auth: undefined } }).toEqual({ ...site, proxy: { ...site.proxy, auth: undefined } });
  });

  it('a write failure comes back as one, with its code and what it was writing', () => {
    const back = errorFromWire(structuredClone(errorToWire(new WriteFailure('ENOSPC', 'the WARC file', new Error('no space')))));
    expect(back).toBeInstanceOf(WriteFailure);
    expect(back).toMatchObject({ code: 'ENOSPC', target: 'the WARC file' });
  });
});
