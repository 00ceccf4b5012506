import type { CheerioAPI } from 'cheerio/slim';
import { findAttachments, type AttachmentLink } from './attachments.js';
import { extractBody } from './body.js';
import { dateFromUrl, labelledDate, parseDate, type DateSource } from './date.js';
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

function findDate($: CheerioAPI, url: string, bodyText: string, selector?: string): { date: string; source: DateSource } | undefined {
  if (selector) {
    const d = parseDate(inlineText($, $(selector).first()));
    if (d) return { date: d, source: 'selector' };
  }
  const metas = new Map<string, string>();
  $('meta[content]').each((_, el) => {
    const a = (el as { attribs: Record<string, string> }).attribs;
    const key = (a.name ?? a.property ?? '').toLowerCase();
    if (key && !metas.has(key)) metas.set(key, a.content ?? '');
  });
  for (const name of META_DATE) {
    const content = metas.get(name);
    const d = content ? parseDate(content) : undefined;
    if (d) return { date: d, source: 'meta' };
  }
  // The labelled date sits in the article's header line, which is often outside the body block.
  const pageText = inlineText($, $('body').length ? $('body') : $.root());
  const labelled = labelledDate(pageText);
  if (labelled) return { date: labelled, source: 'label' };
  const inBody = parseDate(bodyText.slice(0, 300));
  if (inBody) return { date: inBody, source: 'text' };
  const fromUrl = dateFromUrl(url);
  if (fromUrl) return { date: fromUrl, source: 'url' };
  return undefined;
}
