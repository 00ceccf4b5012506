import type { CheerioAPI } from 'cheerio/slim';
import { findAttachments, type AttachmentLink } from './attachments.js';
import { extractBody } from './body.js';
import { dateFromUrl, labelledDateWith, parseDate, type DateSource } from './date.js';
import { inlineText, MAX_DEPTH, wasFlattened } from './html.js';
import { extractLinks, type Link } from './links.js';
import { extractTitle, type TitleSource } from './title.js';

export interface ArticleSelectors {
  title?: string;
  date?: string;
  body?: string;
  attachments?: string;
}

export interface ExtractedPosting {
  title: string;
  titleSource: TitleSource;
  /** YYYY-MM-DD */
  published?: string;
  dateSource?: DateSource;
  /** the main text, block structure kept as lines */
  text: string;
  bodySource: string;
  links: Link[];
  attachments: AttachmentLink[];
  /** what was odd about the page, for the record ("no date found", "no title") */
  problems: string[];
}

const META_DATE = ['pubdate', 'publishdate', 'firstpublishedtime', 'article:published_time', 'dc.date'];

/** Title, date, text, links and attachments of a posting page. */
export function extractPosting($: CheerioAPI, url: string, selectors: ArticleSelectors = {}, siteName?: string): ExtractedPosting {
  const problems: string[] = [];
  if (wasFlattened($)) problems.push(`markup nested deeper than ${MAX_DEPTH} levels; the structure below was flattened to its text`);
  const { title, source: titleSource } = extractTitle($, selectors.title, siteName);
  if (!title) problems.push('no title found');
  const body = extractBody($, selectors.body);
  if (body.text.length < 20) problems.push('little or no body text');
  const date = findDate($, url, body.text, selectors.date);
  if (!date) problems.push('no publication date found');
  else problems.push(...date.problems);
  const links = extractLinks($, url);
  const attachmentLinks = selectors.attachments ? extractLinks($, url, selectors.attachments) : links;
  const out: ExtractedPosting = {
    title,
    titleSource,
    text: body.text,
    bodySource: body.source,
    links,
    attachments: findAttachments(attachmentLinks),
    problems,
  };
  if (date) {
    out.published = date.date;
    out.dateSource = date.source;
  }
  return out;
}

/**
 * The date to cite: the one a reader sees (a date the site file points at, else one labelled
 * 发布日期/成文日期… on the page, the 政府信息公开 info table included), then the URL's, then the
 * page's meta data (on Kaipuyun and TRS sites <meta name="PubDate"> is when the page was last
 * regenerated, years after the notice), then a date at the top of the text. When the others say
 * otherwise, that is kept as a problem note.
 */
function findDate($: CheerioAPI, url: string, bodyText: string, selector?: string): { date: string; source: DateSource; problems: string[] } | undefined {
  const found: { date: string; source: DateSource; what: string }[] = [];
  if (selector) {
    const d = parseDate(inlineText($, $(selector).first()));
    if (d) found.push({ date: d, source: 'selector', what: `the date at ${selector}` });
  }
  // the labelled date sits in the article's header line, which is often outside the body block
  const pageText = inlineText($, $('body').length ? $('body') : $.root());
  const labelled = labelledDateWith(pageText);
  if (labelled) found.push({ date: labelled.date, source: 'label', what: `the page's ${labelled.label}` });
  const fromUrl = dateFromUrl(url);
  if (fromUrl) found.push({ date: fromUrl, source: 'url', what: 'the URL' });
  const metas = new Map<string, string>();
  $('meta[content]').each((_, el) => {
    const a = (el as { attribs: Record<string, string> }).attribs;
    const key = (a.name ?? a.property ?? '').toLowerCase();
    if (key && !metas.has(key)) metas.set(key, a.content ?? '');
  });
  const meta = META_DATE.map((name) => ({ name, d: metas.get(name) ? parseDate(metas.get(name)!) : undefined })).find((m) => m.d);
  if (meta) found.push({ date: meta.d!, source: 'meta', what: `<meta name="${meta.name}">` });
  const inBody = parseDate(bodyText.slice(0, 300));
  if (inBody) found.push({ date: inBody, source: 'text', what: 'the top of the text' });
  const chosen = found[0];
  if (!chosen) return undefined;
  const others = found.filter((f) => f.source !== 'text' && f.date !== chosen.date);
  const problems = others.length ? [`dates disagree: ${chosen.what} says ${chosen.date} (kept), ${others.map((o) => `${o.what} ${o.date}`).join(', ')}`] : [];
  return { date: chosen.date, source: chosen.source, problems };
}
