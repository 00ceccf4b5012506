import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../version.js';

/**
 * What a site's own code (crawlers/<name>.ts, named by a site file's `code: <name>`) may export,
 * for a site YAML cannot describe: a JSON API instead of HTML lists (DESIGN.md, "Site-specific
 * code"). Every part is pure: it says what to ask and reads what came back, and never makes a
 * request itself, so every exchange goes through the engine's recording client (WARC, fetch rows,
 * host gate, politeness, proxy) like any page's.
 */
export interface SiteCode {
  /**
   * What to send for one of the site's URLs (a list page, a posting, a recheck); undefined: a GET
   * of the URL itself. `url` stays the page's identity in the catalogue; the request's URL is where
   * the bytes come from (a posting's human page is read from the API's JSON for it).
   */
  request?(url: string, now: Date): CodeRequest | undefined;
  /** A list page's answer: the postings it names, and the next list page's URL if there is one. */
  readList?(answer: CodeAnswer): CodeListing;
  /**
   * A posting's answer: its title, body (HTML) and date; `notFound` when the API says the item is
   * not there (a soft 404: an error in JSON with HTTP 200); undefined to read it as an HTML page.
   */
  readPosting?(answer: CodeAnswer): CodePosting | undefined;
}

export interface CodeRequest {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
}

export interface CodeAnswer {
  /** the page's URL (the task's, not the API's) */
  url: string;
  status: number;
  contentType: string | undefined;
  /** the body decoded as UTF-8 */
  text: string;
}

export interface CodeListing {
  postings: { url: string; title: string; published?: string }[];
  next?: string;
  /** the list's length as the API reports it, for the record */
  total?: number;
}

export type CodePosting = { title: string; html: string; published?: string } | { notFound: string };

const PARTS = ['request', 'readList', 'readPosting'] as const;

/**
 * Where the code of `name` is: compiled, dist/crawlers/<name>.js (whichever build of the engine
 * runs: tsc's or the bundle); run from the sources (the unit tests), crawlers/<name>.ts itself.
 */
export function siteCodeFile(name: string): string {
  const fromSource = import.meta.url.endsWith('.ts');
  return fromSource ? join(PACKAGE_ROOT, 'crawlers', `${name}.ts`) : join(PACKAGE_ROOT, 'dist', 'crawlers', `${name}.js`);
}

/** Why `code: <name>` cannot be used, or undefined. */
export function siteCodeProblem(name: string): string | undefined {
  if (!existsSync(siteCodeFile(name))) return `no site code crawlers/${name}.ts is built (${siteCodeFile(name)} is missing; npm run build compiles crawlers/*.ts)`;
  return undefined;
}

/** Loads a site's code and checks that it exports only functions the engine knows. */
export async function loadSiteCode(name: string): Promise<SiteCode> {
  const problem = siteCodeProblem(name);
  if (problem) throw new Error(problem);
  const mod = (await import(pathToFileURL(siteCodeFile(name)).href)) as Record<string, unknown>;
  const code: SiteCode = {};
  for (const [k, v] of Object.entries(mod)) {
    if (!(PARTS as readonly string[]).includes(k)) throw new Error(`site code crawlers/${name}.ts exports ${k}, which the engine does not know (it knows ${PARTS.join(', ')})`);
    if (typeof v !== 'function') throw new Error(`site code crawlers/${name}.ts: ${k} must be a function`);
    Object.assign(code, { [k]: v });
  }
  return code;
}
