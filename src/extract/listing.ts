import type { CheerioAPI } from 'cheerio/slim';
import { baseUrl, absolute, extractLinks, sameSite, type Link } from './links.js';
import { inlineText } from './html.js';

/** URL shapes of postings on the CMS families the target sites run (see research notes). */
export const POSTING_URL_PATTERNS: RegExp[] = [
  /\/info\/\d+\/\d+\.htm$/i, // VSB/博达
  /\/info\/egovinfo\/.+\.htm$/i, // VSB info-disclosure
  /\/t\d{8}_\d+\.s?html?$/i, // TRS WCM
  /\/\d{4}\/\d{2}\/\d{2}\/\d+\.s?html?$/i, // date path (2018 xinjiang.gov.cn)
  /\/[^/]*(show|info|detail|content|view)[^/]*\.aspx\?(.*&)?id=\d+/i, // ASP.NET PublicInfoShow.aspx?ID=
  /\/item\/\d+\.aspx$/i, // PowerEasy
  /\/\d+\.jhtml$/i, // JEECMS
  /show\.php\?(.*&)?itemid=\d+/i, // Destoon
  /\/art\/\d{4}\/\d+\/\d+\/art_\d+_\d+\.html$/i, // Hanweb
  /\/\d{8}\/i\d+\.html$/i, // xjcms
  /\/\d{6}\/[0-9a-f]{32}\.shtml$/i, // current XJ platform: /ksdqxzgs/c106707/202307/…, /xinjiang/tzgg/202412/…
  /\/content_\d+\.s?html?$/i,
  /showbulletin_content\d+\.shtml$/i,
];

export interface ListingSpec {
  /** CSS selector or /regex/ for posting links */
  links?: string;
  /** regex on the URL for posting links (--follow / site follow) */
  follow?: string;
  /** CSS selector of the next-page link */
  next?: string;
}

export interface Listing {
  postings: Link[];
  /** further list pages this page points to (next link, or every page a pager script names) */
  pages: string[];
  /** how the posting links were chosen, for the record */
  method: 'selector' | 'regex' | 'follow' | 'url-shape' | 'none';
  /**
   * The site file's `links:` matched nothing here, and the postings are the same-site links of a
   * posting's URL shape instead (`method` is then `url-shape`): the layout changed under it.
   */
  fallback?: { from: 'selector' | 'regex'; links: string };
}

const NEXT_TEXT = /^\s*(下一页|下页|后一页|后页|next|next page|›|»|>)\s*$/i;
// createPageHTML(total, current, "index", "html"), or the newer createPageHTML('page_div', total, current, 'index', 'html', n)
const PAGER_SCRIPT = /createPageHTML\(\s*(?:['"][^'"\d][^'"]*['"]\s*,\s*)?['"]?(\d+)['"]?\s*,\s*['"]?(\d+)['"]?\s*,\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]/;

function asRegex(s: string): RegExp | undefined {
  const m = /^\/(.+)\/([a-z]*)$/s.exec(s);
  return m ? new RegExp(m[1]!, m[2]) : undefined;
}

export function isPostingUrl(url: string): boolean {
  let pathAndQuery: string;
  try {
    const u = new URL(url);
    pathAndQuery = u.pathname + u.search;
  } catch {
    return false;
  }
  return POSTING_URL_PATTERNS.some((re) => re.test(pathAndQuery));
}

/** Posting links and further list pages on a list page. */
export function extractListing($: CheerioAPI, pageUrl: string, spec: ListingSpec): Listing {
  const all = extractLinks($, pageUrl);
  const pages = nextPages($, pageUrl, spec.next);
  const pageSet = new Set(pages);
  const notPager = (l: Link) => !pageSet.has(l.url) && l.url !== pageUrl && !NEXT_TEXT.test(l.text);
  let postings: Link[];
  let method: Listing['method'];
  const re = spec.links ? asRegex(spec.links) : undefined;
  if (spec.links && !re) {
    postings = selectorLinks($, pageUrl, spec.links);
    method = 'selector';
  } else if (re) {
    postings = all.filter((l) => re.test(l.url));
    method = 'regex';
  } else if (spec.follow) {
    const f = new RegExp(spec.follow);
    postings = all.filter((l) => sameSite(l.url, pageUrl) && f.test(l.url));
    method = 'follow';
  } else {
    postings = all.filter((l) => sameSite(l.url, pageUrl) && isPostingUrl(l.url));
    method = postings.length ? 'url-shape' : 'none';
  }
  const seen = new Set<string>();
  const unique = (links: Link[]) => links.filter((l) => notPager(l) && !seen.has(l.url) && seen.add(l.url));
  postings = unique(postings);
  if (postings.length === 0 && (method === 'selector' || method === 'regex')) {
    // a configured `links:` that matches nothing: the family's URL shapes still find the postings
    const shaped = unique(all.filter((l) => sameSite(l.url, pageUrl) && isPostingUrl(l.url)));
    if (shaped.length) return { postings: shaped, pages, method: 'url-shape', fallback: { from: method, links: spec.links! } };
  }
  return { postings, pages, method };
}

function selectorLinks($: CheerioAPI, pageUrl: string, selector: string): Link[] {
  const base = baseUrl($, pageUrl);
  const out: Link[] = [];
  $(selector).each((_, el) => {
    const a = $(el).is('a') ? $(el) : $(el).find('a[href]').first();
    const href = a.attr('href');
    const url = href ? absolute(href, base) : undefined;
    if (url) out.push({ url, text: inlineText($, a).slice(0, 300) });
  });
  return out;
}

function nextPages($: CheerioAPI, pageUrl: string, nextSelector?: string): string[] {
  const base = baseUrl($, pageUrl);
  const out: string[] = [];
  const add = (href: string | undefined) => {
    const u = href ? absolute(href, base) : undefined;
    if (u && u !== pageUrl && !out.includes(u)) out.push(u);
  };
  if (nextSelector) {
    $(nextSelector).each((_, el) => add($(el).attr('href')));
    return out;
  }
  $('a[href]').each((_, el) => {
    const a = $(el);
    if (NEXT_TEXT.test(inlineText($, a).slice(0, 40)) || NEXT_TEXT.test(a.attr('title') ?? '')) add(a.attr('href'));
  });
  // TRS WCM draws its pager from a script: createPageHTML(total, current, "index", "html")
  const script = $('script')
    .toArray()
    .map((s) => $(s).html() ?? '')
    .find((s) => PAGER_SCRIPT.test(s));
  const m = script ? PAGER_SCRIPT.exec(script) : null;
  if (m) {
    const total = Number(m[1]);
    const [prefix, ext] = [m[3]!, m[4]!];
    for (let i = 1; i < Math.min(total, 10000); i++) add(`${prefix}_${i}.${ext}`);
  }
  return out;
}
