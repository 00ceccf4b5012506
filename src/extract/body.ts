import type { CheerioAPI } from 'cheerio/slim';
import type { AnyNode, Element } from 'domhandler';
import { textLengths, visibleText } from './html.js';

/** Content containers of the CMSes the target sites run (VSB, TRS, Hanweb, JEECMS, PowerEasy, xjcms). */
const KNOWN = [
  '#vsb_content', '.v_news_content', '#vsb_content_2', '#zoom', '.TRS_Editor', '.trs_editor_view', '#UCAP-CONTENT',
  '#fontzoom', '.article-content', '.article_content', '#article_content', '.pages_content', '.xxgk_content',
  '#art_content', '.art_content', '#ArticleContent', '#newsContent', '.news_content', '#content', '.content', '#Content', '.zw', '#zw',
];
const BOILERPLATE = /(^|[\s_-])(nav|menu|header|footer|foot|sidebar|side|breadcrumb|crumb|copyright|share|related|links?|banner|top)([\s_-]|$)/i;

/**
 * The main text of a posting: the site's selector; else a known CMS container that holds real
 * text; else the block where paragraphs concentrate (a small readability). Sidebars and
 * "related articles" stay out, or every page would match the terms they mention.
 */
export function extractBody($: CheerioAPI, selector?: string): { text: string; source: 'selector' | 'known' | 'scored' | 'page' } {
  if (selector) {
    const nodes = $(selector).toArray();
    if (nodes.length) {
      const text = visibleText(nodes);
      if (text) return { text, source: 'selector' };
    }
  }
  const lengths = textLengths($.root()[0]!);
  const linkShare = (el: AnyNode) => (lengths.links.get(el) ?? 0) / (lengths.text.get(el) || 1);
  for (const sel of KNOWN) {
    const el = $(sel).first();
    if (!el.length) continue;
    const text = visibleText(el.toArray());
    if (text.length >= 30 && linkShare(el[0]!) < 0.5) return { text, source: 'known' };
  }
  const best = scoreBlocks($, linkShare);
  if (best) return { text: visibleText(best), source: 'scored' };
  return { text: visibleText($('body').toArray().length ? $('body').toArray() : $.root().toArray()), source: 'page' };
}

function scoreBlocks($: CheerioAPI, linkShare: (el: AnyNode) => number): Element | undefined {
  const scores = new Map<Element, number>();
  $('p, td, div, span, font, li').each((_, node) => {
    const el = node as Element;
    let own = 0;
    for (const c of el.children) if (c.type === 'text') own += (c as unknown as { data: string }).data.replace(/\s+/g, '').length;
    if (own < 15) return;
    const parent = el.parent as Element | null;
    const grand = parent?.parent as Element | null;
    for (const [target, weight] of [[el, 1], [parent, 1], [grand, 0.5]] as [Element | null, number][]) {
      if (!target || target.type !== 'tag' || target.name === 'body' || target.name === 'html') continue;
      scores.set(target, (scores.get(target) ?? 0) + own * weight);
    }
  });
  let best: Element | undefined;
  let bestScore = 0;
  for (const [el, raw] of scores) {
    const label = `${el.attribs?.class ?? ''} ${el.attribs?.id ?? ''}`;
    const score = raw * (1 - linkShare(el)) * (BOILERPLATE.test(label) ? 0.2 : 1);
    if (score > bestScore) {
      best = el;
      bestScore = score;
    }
  }
  return bestScore >= 40 ? best : undefined;
}
