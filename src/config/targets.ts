import { existsSync, statSync } from 'node:fs';
import { adhocSite, type AdhocOptions } from './adhoc-site.js';
import { InputError } from './errors.js';
import { findSiteFile, listSiteFiles, loadSiteFile, type Site } from './site-file.js';

/**
 * What `crawl` was asked to crawl: site ids (looked up in the site folders), site files, or bare
 * URLs (crawled ad hoc, with the settings of a site file for the same host when there is one).
 */
export function resolveTargets(args: string[], dirs: string[], adhoc: AdhocOptions): Site[] {
  if (args.length === 0) throw new InputError('name at least one site id, site file or URL (see `xjwatch sites`)');
  const sites: Site[] = [];
  for (const arg of args) {
    if (/^https?:\/\//i.test(arg)) {
      sites.push(adhocSite(arg, siteForHost(arg, dirs), adhoc));
    } else if (/\.ya?ml$/i.test(arg) || (existsSync(arg) && statSync(arg).isFile())) {
      if (!existsSync(arg)) throw new InputError('no such site file', arg);
      sites.push(loadSiteFile(arg));
    } else {
      const file = findSiteFile(arg, dirs);
      if (!file) throw new InputError(`no site "${arg}" in ${dirs.join(' or ')} (see \`xjwatch sites\`)`);
      sites.push(loadSiteFile(file));
    }
  }
  const ids = new Set<string>();
  for (const s of sites) {
    if (ids.has(s.id)) throw new InputError(`site "${s.id}" is named twice`);
    ids.add(s.id);
  }
  return sites;
}

function siteForHost(url: string, dirs: string[]): Site | undefined {
  const host = new URL(url).host.replace(/^www\./, '');
  for (const file of listSiteFiles(dirs).values()) {
    let site: Site;
    try {
      site = loadSiteFile(file, false);
    } catch {
      continue; // a broken unrelated site file must not stop an ad-hoc crawl; `sites` reports it
    }
    // the site file for this host, proxy and all: one whose proxy variable is unset stops the crawl
    // rather than letting its URL go out another way
    if (new URL(site.home).host.replace(/^www\./, '') === host) return loadSiteFile(file);
  }
  return undefined;
}
