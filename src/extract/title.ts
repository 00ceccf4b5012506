import type { CheerioAPI } from 'cheerio/slim';
import { inlineText } from './html.js';

export type TitleSource = 'selector' | 'heading' | 'element' | 'title-tag' | 'none';

const SEPARATORS = /\s*(?:[-_|｜—–]{1,2}|::)\s*/;
const TITLE_LIKE = /title|biaoti|(^|[\s_-])(bt|tit)([\s_-]|$)/i;
const NOT_TITLE = /^(首页|当前位置|您当前的位置|打印|关闭|返回|网站地图|无障碍)/;

/**
 * The posting's title: the site's selector when given; else the heading or title-like element
 * that the <title> tag agrees with; else the <title> tag minus the site name.
 */
export function extractTitle($: CheerioAPI, selector?: string, siteName?: string): { title: string; source: TitleSource } {
  if (selector) {
    const t = inlineText($, $(selector).first());
    if (t) return { title: t, source: 'selector' };
  }
  const docTitle = inlineText($, $('head > title, title').first());
  const candidates: { text: string; score: number; source: TitleSource }[] = [];
  const consider = (text: string, base: number, source: TitleSource) => {
    if (text.length < 4 || text.length > 200 || NOT_TITLE.test(text)) return;
    if (siteName && text === siteName) return;
    let score = base;
    if (docTitle && docTitle.includes(text)) score += 4;
    if (text.length >= 8) score += 1;
    candidates.push({ text, score, source });
  };
  $('h1').each((_, el) => consider(inlineText($, el), 3, 'heading'));
  $('h2').each((_, el) => consider(inlineText($, el), 1, 'heading'));
  let looked = 0;
  $('[class], [id]').each((_, el) => {
    const a = (el as { attribs: Record<string, string> }).attribs;
    if (!TITLE_LIKE.test(`${a.class ?? ''} ${a.id ?? ''}`)) return;
    if (++looked > 200) return false; // a page with thousands of "title" classes is not helped by more
    if ($(el).find('a, li, p, div').length > 2) return; // a list of titles, not the title
    consider(inlineText($, el), 2, 'element');
    return undefined;
  });
  candidates.sort((a, b) => b.score - a.score || b.text.length - a.text.length);
  const best = candidates[0];
  if (best && best.score >= 5) return { title: best.text, source: best.source };
  if (docTitle) {
    const parts = docTitle.split(SEPARATORS).filter((p) => p && p !== siteName && !/政府|门户网站|人民政府网|官网$/.test(p));
    const longest = parts.sort((a, b) => b.length - a.length)[0];
    if (longest) return { title: longest, source: 'title-tag' };
    return { title: docTitle, source: 'title-tag' };
  }
  if (best) return { title: best.text, source: best.source };
  return { title: '', source: 'none' };
}
