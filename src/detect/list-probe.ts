/** What a probe saw of one list (schedule/probe.ts fetches it; this judges it). */
export interface ListProbeReading {
  site: string;
  list: string;
  /** the list's first page */
  first: ProbePage;
  /** one further page, when the first one points to one (pager link, `pattern:`) */
  next?: ProbePage;
  /** the first postings it links, read as a crawl reads them */
  samples: ProbeSample[];
}

export interface ProbePage {
  url: string;
  status?: number;
  /** the fetch failed: timeout, DNS, refused, a challenge not passed… */
  error?: { kind: string; message: string };
  /** the page is a `pattern:` page past the first: a 404 there is the list's end */
  generated?: boolean;
  /** `code`: the site's own code read it (an API's JSON) */
  method?: 'selector' | 'regex' | 'follow' | 'url-shape' | 'code' | 'none';
  /** `links:` matched nothing; the postings counted were found by their URL shape */
  fallback?: { from: 'selector' | 'regex'; links: string };
  postings: number;
}

export interface ProbeSample {
  url: string;
  status?: number;
  error?: { kind: string; message: string };
  /** not an HTML page (a PDF linked straight from the list): its content type */
  document?: string;
  title?: string;
  published?: string;
  dateSource?: string;
  /** the main text's first characters, and how long it is */
  text?: string;
  textChars?: number;
}

export interface ProbeVerdict {
  verdict: 'pass' | 'fail' | 'unreachable';
  why: string;
}

/** Failures that say the host could not be reached from here, not that the site file is wrong. */
const UNREACHABLE_KINDS = new Set(['dns', 'refused', 'reset', 'timeout', 'tls', 'protocol', 'proxy', 'http_5xx', 'skipped', 'challenge']);
/** Answers a host gives to visitors it will not serve (abroad, a data centre, too many requests). */
const BLOCKING_STATUS = new Set([401, 403, 407, 429, 451]);
const MIN_TEXT_CHARS = 20;

function unreachable(p: { status?: number; error?: { kind: string; message: string } }): string | undefined {
  if (p.error && UNREACHABLE_KINDS.has(p.error.kind)) return `${p.error.kind}: ${p.error.message}`;
  if (p.status !== undefined && BLOCKING_STATUS.has(p.status)) return `HTTP ${p.status} (blocked from here?)`;
  return undefined;
}

function failed(p: { status?: number; error?: { kind: string; message: string } }): string | undefined {
  if (p.error) return `${p.error.kind}: ${p.error.message}`;
  if (p.status !== undefined && (p.status < 200 || p.status >= 300)) return `HTTP ${p.status}`;
  return undefined;
}

/**
 * Does the list still yield postings a crawl can read? A host that cannot be reached from here is
 * `unreachable` — never a broken list; a list whose `links:` matches nothing fails even when the
 * URL-shape fallback finds postings (a crawl would raise site_broken); so does a sample posting
 * without a title, a date or main text.
 */
export function probeVerdict(r: ListProbeReading): ProbeVerdict {
  const f = r.first;
  const down = unreachable(f);
  if (down) return { verdict: 'unreachable', why: `the list page: ${down}` };
  const bad = failed(f);
  if (bad) return { verdict: 'fail', why: `the list page: ${bad}` };
  if (f.fallback) return { verdict: 'fail', why: `links: ${f.fallback.links} matches nothing; ${f.postings} posting link(s) by their URL shape (the fallback a crawl uses, raising site_broken)` };
  if (f.postings === 0) return { verdict: 'fail', why: 'the list page yields no posting links' };
  for (const s of r.samples) {
    const down = unreachable(s);
    if (down) return { verdict: 'unreachable', why: `the sample posting ${s.url}: ${down}` };
    const bad = failed(s);
    if (bad) return { verdict: 'fail', why: `the sample posting ${s.url}: ${bad}` };
    if (s.document) continue;
    const missing = [!s.title && 'title', !s.published && 'date', (s.textChars ?? 0) < MIN_TEXT_CHARS && 'main text'].filter(Boolean);
    if (missing.length) return { verdict: 'fail', why: `the sample posting ${s.url} has no ${missing.join(', ')}` };
  }
  const n = r.next;
  if (n) {
    const down = unreachable(n);
    if (down) return { verdict: 'unreachable', why: `page 2: ${down}` };
    // a numbered page past the last one: a list of one page
    if (!(n.generated && n.status === 404)) {
      const bad = failed(n);
      if (bad) return { verdict: 'fail', why: `page 2 (${n.url}): ${bad}` };
      if (n.fallback || n.postings === 0) return { verdict: 'fail', why: `page 2 (${n.url}) yields no posting links${n.fallback ? ` by links: (${n.postings} by their URL shape)` : ''}` };
    }
  }
  return { verdict: 'pass', why: 'yields postings with title, date and text' };
}
