import { archiveLink } from './archive-links.js';
import { citingSentences, tidyText } from './citing-sentence.js';
import { splitFootnotes } from './footnotes.js';
import { findUrls } from './url-find.js';
import { rejoinLines } from './url-rejoin.js';

/** Where a report cites a page: a footnote and the sentence citing it, or a line of a URL list. */
export interface CitationContext {
  footnote?: number;
  /** the sentence of the running text that carries the footnote's marker */
  sentence?: string;
  /** the footnote's own text (or a URL list's comment, or the sentence around a URL in the text) */
  note?: string;
  /** cited only through this archive link, paired with the page elsewhere in the report */
  via?: string;
}

/** A page the report cites, with every footnote citing it and the archived copies it names. */
export interface Citation {
  /** the page itself: archive wrappers (web.archive.org/web/<ts>/<url>) unwrapped */
  url: string;
  footnotes: number[];
  context: CitationContext[];
  /** archive links given for it: archive.today captures, Wayback captures with their timestamps */
  archived: string[];
}

/** An archive link with no page to it: a short archive.today link the report never pairs with a URL. */
export interface ArchiveOnly {
  archive: string;
  footnote?: number;
  note?: string;
}

export interface Citations {
  citations: Citation[];
  archiveOnly: ArchiveOnly[];
  /** footnotes found in the text */
  footnotes: number;
}

export interface CitationOptions {
  /** the text is a list of URLs, one a line, `#` comments (no footnotes, nothing rejoined) */
  urlList?: boolean;
  /** lines are blocks of an HTML page: a URL never runs on into the next one */
  html?: boolean;
}

const NOTE_MAX = 600;

/**
 * A URL, and the archive links right after it joined by "or"/"and" (`A or archive.is/x or …`), or
 * named as its archive (an HTML link's text: `A (archived: …)`, `A or archived copy …`).
 */
const PAIRING = /^[\s,(]*(?:(?:or|and|\/)(?=[\s,:(]|$)[\s,:(]*(?:(?:an?\s+)?archived?(?:\s+(?:copy|version|page))?[\s:,(]*)?|(?:an?\s+)?archived?(?:\s+(?:copy|version|page|at))?[\s:,(]*)$/i;

interface Mention {
  url: string;
  archived?: string;
  /** an opaque archive link, until it is paired with a page */
  opaque?: string;
  context: CitationContext;
}

/**
 * Every URL a report cites (pure: text in, citations out). In footnotes it keeps the footnote's
 * number, its text and the sentence of the running text that cites it; a URL cut by a line end
 * is rejoined; `A or http://archive.is/x` pairs the archive link with A; Wayback links are
 * unwrapped to the page they hold (a Save Page Now link names the page but is no copy of it). An
 * archive.today short link the report pairs with a page anywhere counts as citing that page
 * wherever it appears alone (footnote 12 citing only the archive that footnote 14 gives for
 * xjawt.gov.cn); one it never pairs is returned in `archiveOnly`. A URL cited several times is
 * one citation with all its footnotes.
 */
export function extractCitations(text: string, opts: CitationOptions = {}): Citations {
  const mentions: Mention[] = [];
  let footnotes = 0;
  if (opts.urlList) {
    for (const line of text.split(/\r\n|\r|\n/)) {
      const m = /^\s*(\S+)\s*(?:#\s*(.*))?$/.exec(line);
      if (!m || line.trim().startsWith('#')) continue;
      const note = m[2]?.trim();
      mentions.push(...mentionsIn(m[1]!, () => (note ? { note } : {})));
    }
  } else {
    const parts = splitFootnotes(text);
    footnotes = parts.footnotes.length;
    const sentences = citingSentences(parts.body, parts.footnotes.map((f) => f.number));
    for (const f of parts.footnotes) {
      const note = clip(tidyText(f.text));
      const sentence = sentences.get(f.number);
      mentions.push(...mentionsIn(f.text, () => ({ footnote: f.number, ...(sentence ? { sentence } : {}), note })));
    }
    const body = opts.html ? parts.body : rejoinLines(parts.body.split('\n'));
    mentions.push(...mentionsIn(body, (start, end) => ({ note: clip(tidyText(sentenceAround(body, start, end))) })));
  }
  return gather(mentions, footnotes);
}

/** The URLs in one footnote (or line, or text), archive links paired with the page before them. */
function mentionsIn(text: string, contextAt: (start: number, end: number) => CitationContext): Mention[] {
  const out: Mention[] = [];
  let anchor: { url: string; end: number } | undefined;
  for (const found of findUrls(text)) {
    const link = archiveLink(found.url);
    const context = contextAt(found.start, found.end);
    const paired = anchor && PAIRING.test(text.slice(anchor.end, found.start)) ? anchor.url : undefined;
    if (!link) {
      out.push({ url: found.url, context });
      anchor = { url: found.url, end: found.end };
    } else if (link.kind === 'opaque') {
      out.push(paired ? { url: paired, archived: found.url, context } : { url: '', opaque: found.url, context });
      if (paired) anchor = { url: paired, end: found.end };
    } else {
      out.push({ url: link.original, ...(link.kind === 'capture' ? { archived: found.url } : {}), context });
      anchor = { url: link.original, end: found.end };
    }
  }
  return out;
}

/** One citation per page, in the order the report first cites them. */
function gather(mentions: Mention[], footnotes: number): Citations {
  const byUrl = new Map<string, Citation>();
  const pairedWith = new Map<string, string>();
  const add = (url: string, context: CitationContext, archived?: string) => {
    let c = byUrl.get(url);
    if (!c) byUrl.set(url, (c = { url, footnotes: [], context: [], archived: [] }));
    if (archived && !c.archived.includes(archived)) c.archived.push(archived);
    if (context.footnote !== undefined) {
      if (c.footnotes.includes(context.footnote)) return;
      c.footnotes.push(context.footnote);
    } else if (c.context.some((x) => x.footnote === undefined && x.note === context.note)) {
      return;
    }
    c.context.push(context);
  };
  for (const m of mentions) {
    if (m.opaque) continue;
    add(m.url, m.context, m.archived);
    if (m.archived && archiveLink(m.archived)?.kind === 'opaque') pairedWith.set(archiveKey(m.archived), m.url);
  }
  const archiveOnly: ArchiveOnly[] = [];
  for (const m of mentions) {
    if (!m.opaque) continue;
    const page = pairedWith.get(archiveKey(m.opaque));
    if (page) add(page, { ...m.context, via: m.opaque }, m.opaque);
    else archiveOnly.push({ archive: m.opaque, ...(m.context.footnote !== undefined ? { footnote: m.context.footnote } : {}), ...(m.context.note ? { note: m.context.note } : {}) });
  }
  const first = (c: Citation) => c.footnotes[0] ?? Infinity;
  for (const c of byUrl.values()) {
    c.footnotes.sort((a, b) => a - b);
    c.context.sort((a, b) => (a.footnote ?? Infinity) - (b.footnote ?? Infinity));
  }
  // in the order the report cites them (a page first cited through its archive link sorts there)
  const citations = [...byUrl.values()].sort((a, b) => first(a) - first(b));
  return { citations, archiveOnly, footnotes };
}

/** archive.is/AbC12 and archive.today/AbC12 are one capture. */
function archiveKey(url: string): string {
  return new URL(url).pathname.replace(/\/$/, '');
}

function clip(s: string): string {
  return s.length > NOTE_MAX ? `${s.slice(0, NOTE_MAX - 1)}…` : s;
}

/** The line or sentence a URL in the running text stands in. */
function sentenceAround(text: string, start: number, end: number): string {
  const from = Math.max(text.lastIndexOf('\n\n', start), text.lastIndexOf('. ', start), start - 300, 0);
  const stops = [text.indexOf('\n\n', end), text.indexOf('. ', end), end + 300].filter((i) => i >= 0);
  return text.slice(from, Math.min(...stops) + 1).replace(/^[.\s]+/, '');
}
