import { hostMatches } from '../fetch/redirect-policy.js';

/**
 * Which cited pages `xjwatch import` puts on a watch list: those on a government host — gov.cn
 * and every host under it, the domain China's state and party organs publish on (xinjiang.gov.cn,
 * the prefectures' and counties' sites, gov.cn itself, and organs such as zytzb.gov.cn, the
 * United Front Work Department, or chinapeace.gov.cn, the Political and Legal Affairs
 * Commission) — and those on hosts the user watches already (a site file covers them) or names
 * (`--hosts`). State media (people.com.cn, xinhuanet.com, ts.cn, xjdaily.com.cn) and other
 * sites are not government hosts: import reports them and leaves them out unless named.
 */
export function isGovernmentHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return h === 'gov.cn' || h.endsWith('.gov.cn');
}

/** `--hosts` patterns: `www.ts.cn`, `*.xjdaily.com.cn`, `*` (as in a site file's `redirects.hosts`). */
export function hostIn(patterns: readonly string[], hostname: string): boolean {
  return patterns.some((p) => hostMatches(p, hostname));
}
