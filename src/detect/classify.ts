import type { FetchErrorKind } from '../fetch/exchange.js';
import { normalizeText } from '../terms/normalize.js';

export type DeletionReason = 'http_404' | 'http_410' | 'soft_404' | 'redirect_home' | 'dns_gone';

/** What one check of a page's own URL says, before confirmation over several checks. */
export type Verdict =
  | { kind: 'live' }
  | { kind: 'not_modified' }
  | { kind: 'gone'; reason: DeletionReason; detail: string }
  | { kind: 'unreachable'; reason: string; detail: string }
  | { kind: 'blocked'; reason: string; detail: string };

/** What the page's URL answered. */
export interface Answer {
  errorKind?: FetchErrorKind;
  errorMessage?: string;
  status?: number;
  finalUrl?: string;
  /** an HTTP redirect happened on the way */
  redirected?: boolean;
  /** where a meta refresh or a script sends the browser */
  clientRedirect?: string;
  title?: string;
  text?: string;
  /** the site's code read the answer as its API's "no such item" (an error in JSON with HTTP 200) */
  notFound?: string;
  /** the answer looks like an anti-bot challenge page (issue 5 passes them) */
  challenge?: boolean;
  /** the body is byte for byte the page's last capture (which answered normally) */
  sameBytes?: boolean;
  /** the text (title first) and title of the page's last capture, when there is one */
  previousText?: string;
  previousTitle?: string;
}

/** What the site's controls answered in the same run. */
export interface SiteControls {
  /** the home page and the first pages of the lists: where removed pages get sent */
  homeUrls: string[];
  /** the answer to a made-up URL shaped like the site's postings: the site's own "not found" */
  random?: Answer;
}

/** Phrases of "not found" pages (research notes §3); only trusted on a page that says little else. */
export const NOT_FOUND_PHRASES = [
  '页面不存在', '页面已删除', '页面未找到', '找不到该页面', '找不到页面', '无法找到该页', '信息不存在', '信息已删除', '信息已被删除',
  '文章不存在', '文章已删除', '文章已被删除', '内容不存在', '内容已删除', '稿件已删除', '该信息已删除', '已经删除或不存在', '已被删除或不存在',
  '不存在或已被删除', '不存在或已被移除', '您访问的页面不存在', '404 not found', 'page not found',
];

const SHORT_TEXT = 200;

function sameTarget(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      const x = new URL(u);
      const path = x.pathname.replace(/\/(index|default)\.(s?html?|jsp|aspx?|php)$/i, '/').replace(/\/+$/, '') || '/';
      return `${x.host.replace(/^www\./, '')}${path}${x.search}`;
    } catch {
      return u;
    }
  };
  return norm(a) === norm(b);
}

/** A host's front door (`/`, `/index.html`) on another host than the page's: where a site that dropped the page, or was folded into another, sends it. */
function anotherHostsHome(target: string, pageUrl: string): boolean {
  try {
    const t = new URL(target);
    const p = new URL(pageUrl);
    return t.hostname.replace(/^www\./, '') !== p.hostname.replace(/^www\./, '') && /^\/((index|default)\.(s?html?|jsp|aspx?|php))?$/i.test(t.pathname) && !t.search;
  } catch {
    return false;
  }
}

function bigrams(s: string): Set<string> {
  const t = s.replace(/\s+/g, '');
  const out = new Set<string>();
  for (let i = 0; i + 1 < t.length; i++) out.add(t.slice(i, i + 2));
  return out;
}

/** How alike two texts are (Jaccard over character pairs), 0..1; two empty texts are alike. */
export function similarity(a: string, b: string): number {
  const x = bigrams(normalizeText(a));
  const y = bigrams(normalizeText(b));
  if (x.size === 0 && y.size === 0) return 1;
  let both = 0;
  for (const g of x) if (y.has(g)) both++;
  return both / (x.size + y.size - both);
}

export function notFoundPhrase(title: string, text: string): string | undefined {
  const t = normalizeText(`${title}\n${text}`).toLowerCase();
  if (normalizeText(text).length > SHORT_TEXT) return undefined;
  return NOT_FOUND_PHRASES.find((p) => t.includes(p));
}

/**
 * The verdict on one answer of a page's own URL. Network trouble and server errors are
 * "unreachable", refusals and challenges "blocked", never "gone"; "gone" needs a 404/410, the
 * site's own not-found page, a redirect to the home or a list page (or to another host's home
 * page, followed or not), or a host that no longer resolves. Confirmation (several checks, healthy controls) is lifecycle.ts's business.
 */
export function classify(a: Answer, controls: SiteControls, pageUrl: string): Verdict {
  if (a.errorKind) {
    if (a.errorKind === 'dns') return { kind: 'gone', reason: 'dns_gone', detail: `the host no longer resolves (${a.errorMessage ?? 'DNS'})` };
    // a redirect off the site that was not followed still says where the page went
    if (a.errorKind === 'redirect_offsite' && a.finalUrl && anotherHostsHome(a.finalUrl, pageUrl)) {
      return { kind: 'gone', reason: 'redirect_home', detail: `redirected to ${a.finalUrl}, another host's home page (not followed: not in the site file's redirects.hosts)` };
    }
    if (a.errorKind === 'challenge') return { kind: 'blocked', reason: 'challenge', detail: a.errorMessage ?? 'an anti-bot challenge was not passed' };
    return { kind: 'unreachable', reason: a.errorKind, detail: a.errorMessage ?? a.errorKind };
  }
  const status = a.status ?? 0;
  if (status === 304) return { kind: 'not_modified' };
  if (a.challenge) return { kind: 'blocked', reason: 'challenge', detail: `HTTP ${status} anti-bot challenge not passed` };
  if (status === 404) return { kind: 'gone', reason: 'http_404', detail: 'HTTP 404' };
  if (status === 410) return { kind: 'gone', reason: 'http_410', detail: 'HTTP 410' };
  if (status >= 500) return { kind: 'unreachable', reason: 'http_5xx', detail: `HTTP ${status}` };
  if ([401, 403, 407, 412, 418, 429, 451, 521].includes(status)) return { kind: 'blocked', reason: `http_${status}`, detail: `HTTP ${status}` };
  if (status >= 400) return { kind: 'unreachable', reason: `http_${status}`, detail: `HTTP ${status}` };
  if (a.sameBytes && status >= 200 && status < 300) return { kind: 'live' };
  if (a.notFound !== undefined) return { kind: 'gone', reason: 'soft_404', detail: `HTTP ${status}, but the site's API answers that the item is not there (${a.notFound})` };
  if (a.redirected && a.finalUrl && !sameTarget(a.finalUrl, pageUrl) && (controls.homeUrls.some((h) => sameTarget(h, a.finalUrl!)) || anotherHostsHome(a.finalUrl, pageUrl))) {
    return { kind: 'gone', reason: 'redirect_home', detail: `redirected to ${a.finalUrl}` };
  }
  if (a.clientRedirect && controls.homeUrls.some((h) => sameTarget(h, a.clientRedirect!))) {
    return { kind: 'gone', reason: 'redirect_home', detail: `the page sends the browser to ${a.clientRedirect}` };
  }
  // a page that still shows the posting's own title is the posting, whatever else it says
  const stillThere = Boolean(a.previousTitle && normalizeText(a.previousTitle).length >= 4 && normalizeText(`${a.title ?? ''}\n${a.text ?? ''}`).includes(normalizeText(a.previousTitle)));
  if (stillThere) return { kind: 'live' };
  const phrase = notFoundPhrase(a.title ?? '', a.text ?? '');
  if (phrase) return { kind: 'gone', reason: 'soft_404', detail: `HTTP ${status} with the site's "not found" text (${phrase})` };
  const r = controls.random;
  if (r && !r.errorKind && r.status && r.status >= 200 && r.status < 300 && !r.clientRedirect) {
    const alike = similarity(`${a.title ?? ''}\n${a.text ?? ''}`, `${r.title ?? ''}\n${r.text ?? ''}`);
    if (alike >= 0.9) return { kind: 'gone', reason: 'soft_404', detail: `HTTP ${status} with the same page the site answers for a URL that never existed (${Math.round(alike * 100)}% alike)` };
  }
  // the site's frame with the posting gone from it: a soft 404 without a tell-tale phrase
  if (a.previousText !== undefined) {
    const before = normalizeText(a.previousText).length;
    const now = normalizeText(a.text ?? '').length;
    const retitled = normalizeText(a.title ?? '') !== normalizeText(a.previousTitle ?? '');
    if (before >= 100 && now < 60 && retitled) {
      return { kind: 'gone', reason: 'soft_404', detail: `HTTP ${status}, but the posting is gone from the page: its title and text (${before} characters before, ${now} now)` };
    }
  }
  return { kind: 'live' };
}
