import type { Site } from '../config/site-file.js';
import type { SiteCrawlOptions } from '../fetch/site-crawler.js';

/** How a site's pages are fetched, from its site file: the same for a pass and a probe. */
export function siteFetchOptions(site: Site, userAgent: string): Omit<SiteCrawlOptions, 'sink' | 'onPage' | 'onFailure'> {
  return {
    userAgent: site.userAgent ?? userAgent,
    perHost: site.rate.perHost,
    delayMs: site.rate.delayMs,
    timeoutMs: site.timeoutMs,
    maxBodyBytes: Math.round(site.maxBodyMB * 1024 * 1024),
    retries: site.retries.count,
    backoffMs: site.retries.backoffMs,
    breakAfter: site.retries.breakAfter,
    resolve: site.resolve,
    redirects: { siteHosts: [site.home, ...site.lists.map((l) => l.url), ...site.pinned].map((u) => new URL(u).hostname), hosts: site.redirects.hosts },
    fetchMode: site.fetch,
    challengeTimeoutMs: site.challengeTimeoutMs,
    proxy: site.proxy,
  };
}
