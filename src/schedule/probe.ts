import type { SiteCode } from '../config/site-code.js';
import type { Site } from '../config/site-file.js';
import type { ListProbeReading, ProbePage, ProbeSample } from '../detect/list-probe.js';
import { decodeBody } from '../extract/decode.js';
import { parseHtml } from '../extract/html.js';
import { extractListing, type Listing } from '../extract/listing.js';
import { extractPosting } from '../extract/posting.js';
import type { BrowserFetcher } from '../fetch/browser.js';
import { detectChallenge } from '../fetch/challenge.js';
import type { ExchangeSink } from '../fetch/exchange.js';
import type { FailedFetch, FetchedPage, FetchTask } from '../fetch/fetch-task.js';
import type { HostGate } from '../fetch/host-gate.js';
import { crawlSite } from '../fetch/site-crawler.js';
import { SCRIPTED_LIST } from './list-walk.js';
import { headerString, looksLikeHtml } from './page-reader.js';
import { siteFetchOptions } from './site-fetch.js';

export interface ProbeDeps {
  userAgent: string;
  /** where every exchange is kept (the probe's run), before it is read */
  sink: ExchangeSink;
  stop?: AbortSignal;
  hostGate: HostGate;
  /** for challenges and script-built lists, when the site's fetch is auto or browser */
  browser?: BrowserFetcher;
  /** the site's own code (its file's `code:`), loaded: its lists and postings are an API's answers */
  code?: SiteCode;
}

/** Sample postings read per list. */
const SAMPLES = 2;
const TEXT_SHOWN = 200;

type ProbeData = { kind: 'list'; list: string; n: 1 | 2; generated: boolean } | { kind: 'posting'; linkText: string };

/**
 * The live check of a site's lists (`sites --probe`): each list's first page, one further page,
 * and its first postings, fetched as a crawl fetches them (the recording client, the site's
 * politeness, proxy and challenges) and read as a crawl reads them. Nothing is catalogued as a
 * page: a probe must not make the next crawl think its new postings were already seen.
 */
export async function probeSite(site: Site, d: ProbeDeps): Promise<ListProbeReading[]> {
  const readings = new Map<string, ListProbeReading>(site.lists.map((l) => [l.url, { site: site.id, list: l.url, first: { url: l.url, postings: 0 }, samples: [] }]));
  const task = (url: string, data: ProbeData, label: 'list' | 'posting'): FetchTask => {
    const request = d.code?.request?.(url, new Date());
    return { url, purpose: { siteId: site.id, label }, data, ...(request ? { request } : {}) };
  };
  const listedDates = new Map<string, string>();
  // a posting two lists link is fetched once and shown for both, in each list's order
  const wanted = new Map<string, { list: string; i: number }[]>();
  const answered = new Map<string, ProbeSample>();
  const sample = (url: string, s: ProbeSample) => {
    answered.set(url, s);
    for (const w of wanted.get(url) ?? []) readings.get(w.list)!.samples[w.i] = s;
  };
  const want = (list: string, i: number, url: string, linkText: string): FetchTask[] => {
    const slots = wanted.get(url);
    if (!slots) wanted.set(url, [{ list, i }]);
    else slots.push({ list, i });
    const done = answered.get(url);
    if (done) readings.get(list)!.samples[i] = done;
    return slots ? [] : [task(url, { kind: 'posting', linkText }, 'posting')];
  };

  const onList = (page: FetchedPage, data: Extract<ProbeData, { kind: 'list' }>): FetchTask[] => {
    const r = readings.get(data.list)!;
    const seen: ProbePage = { url: page.task.url, status: page.status, postings: 0, generated: data.generated };
    if (data.n === 1) r.first = seen;
    else r.next = seen;
    if (page.status !== 200) return [];
    const spec = site.lists.find((l) => l.url === data.list)!;
    const decoded = decodeBody(page.body, headerString(page.headers['content-type']), site.encoding);
    let listing: Omit<Listing, 'method'> & { method: ProbePage['method'] };
    if (d.code?.readList) {
      const coded = d.code.readList({ url: page.task.url, status: page.status, contentType: headerString(page.headers['content-type']), text: decoded.text });
      for (const p of coded.postings) if (p.published) listedDates.set(p.url, p.published);
      listing = { postings: coded.postings.map((p) => ({ url: p.url, text: p.title })), pages: coded.next ? [coded.next] : [], method: 'code' };
    } else listing = extractListing(parseHtml(decoded.text), page.finalUrl, { links: spec.links, follow: site.follow, next: spec.next });
    if (listing.fallback && detectChallenge(page.status, decoded.text)) listing = { postings: [], pages: listing.pages, method: 'none' };
    if (listing.postings.length === 0 && !d.code && !page.rendered && d.browser && site.fetch !== 'http' && SCRIPTED_LIST.test(decoded.text)) {
      return [{ ...page.task, render: true }]; // a list its script builds: read it as the browser renders it
    }
    Object.assign(seen, { method: listing.method, postings: listing.postings.length, ...(listing.fallback ? { fallback: listing.fallback } : {}) });
    if (data.n === 2) return [];
    const follow = listing.postings.slice(0, SAMPLES).flatMap((l, i) => want(data.list, i, l.url, l.text));
    const pager = listing.pages.find((u) => u !== page.task.url);
    const next = pager ?? (spec.pattern && listing.postings.length ? new URL(spec.pattern.replace('{n}', String(spec.start)), spec.url).href : undefined);
    if (next) follow.push(task(next, { kind: 'list', list: data.list, n: 2, generated: !pager }, 'list'));
    return follow;
  };

  const onPosting = (page: FetchedPage, data: Extract<ProbeData, { kind: 'posting' }>): void => {
    const s: ProbeSample = { url: page.task.url, status: page.status };
    sample(page.task.url, s);
    if (page.status < 200 || page.status >= 300) return;
    const contentType = headerString(page.headers['content-type']);
    const coded = d.code?.readPosting?.({ url: page.task.url, status: page.status, contentType, text: page.body.toString('utf8') });
    if (coded && 'notFound' in coded) {
      s.error = { kind: 'not_found', message: `the site's API answers that it is not there: ${coded.notFound}` };
      return;
    }
    if (coded) {
      // the API's HTML is a fragment: read within a body of its own, as the crawl reads it
      const $ = parseHtml(`<html><body>${coded.html.replace(/<\/?(?:html|head|body)\b[^>]*>/gi, '')}</body></html>`);
      const ex = extractPosting($, page.finalUrl, { ...site.article, body: 'body' }, site.name);
      const published = coded.published ?? listedDates.get(page.task.url);
      Object.assign(s, { title: coded.title || data.linkText, published, dateSource: coded.published ? 'api' : published ? 'list' : undefined, text: shownText(ex.text), textChars: ex.text.length });
      return;
    }
    const mime = (contentType ?? '').split(';')[0]!.trim();
    if (mime && !/html|xml|text\/plain/i.test(mime) && !looksLikeHtml(page.body)) {
      s.document = mime;
      s.title = data.linkText;
      return;
    }
    const $ = parseHtml(decodeBody(page.body, contentType, site.encoding).text);
    for (const sel of site.ignore.selectors) $(sel).remove();
    const ex = extractPosting($, page.finalUrl, site.article, site.name);
    Object.assign(s, { title: ex.title || data.linkText, published: ex.published, dateSource: ex.dateSource, text: shownText(ex.text), textChars: ex.text.length });
  };

  const onFailure = (f: FailedFetch): void => {
    const data = f.task.data as ProbeData;
    const error = { kind: f.kind, message: f.message };
    if (data.kind === 'posting') return sample(f.task.url, { url: f.task.url, error });
    const r = readings.get(data.list)!;
    if (data.n === 1) r.first = { url: f.task.url, error, postings: 0 };
    else r.next = { url: f.task.url, error, postings: 0, generated: data.generated };
  };

  await crawlSite(
    site.lists.map((l) => task(l.url, { kind: 'list', list: l.url, n: 1, generated: false }, 'list')),
    {
      ...siteFetchOptions(site, d.userAgent),
      browser: d.browser,
      sink: d.sink,
      stop: d.stop,
      hostGate: d.hostGate,
      onPage: (page) => {
        const data = page.task.data as ProbeData;
        if (data.kind === 'list') return onList(page, data);
        onPosting(page, data);
        return [];
      },
      onFailure,
    },
  );
  // samples stay in the list's order, whichever answered first; one a stopped crawl never asked for is left out
  for (const r of readings.values()) r.samples = r.samples.filter(Boolean);
  return [...readings.values()];
}

function shownText(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, TEXT_SHOWN);
}
