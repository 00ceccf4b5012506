import type { Element } from 'domhandler';
import { parseHtml, visibleText } from './html.js';

/**
 * A report published as a web page, as text the citation reader takes: each block a paragraph
 * of its own (blank lines between), a link's address written after its text when the text does
 * not show it (`<a href="http://…">the notice</a>` → `the notice http://…`), and the items of a
 * numbered list (endnotes: `<ol><li>`) starting with their numbers, which HTML draws but does
 * not write. Footnote markers (`<sup>4</sup>`, `<a href="#fn4">[4]</a>`) stay where they are.
 */
export function reportHtmlText(html: string): string {
  const $ = parseHtml(html);
  $('a[href]').each((_, a) => {
    const href = ($(a).attr('href') ?? '').trim();
    if (!/^https?:\/\//i.test(href)) return;
    const text = $(a).text().replace(/\s+/g, '');
    if (!text.includes(href.replace(/^https?:\/\//i, '').replace(/\/$/, ''))) $(a).append(` ${href} `);
  });
  $('ol').each((_, ol) => {
    let n = Number($(ol).attr('start') ?? 1);
    if (!Number.isInteger(n)) n = 1;
    for (const li of $(ol).children('li').toArray() as Element[]) {
      const value = Number($(li).attr('value'));
      if (Number.isInteger(value) && value > 0) n = value;
      if (!/^\s*\[?\d{1,3}\b/.test($(li).text())) $(li).prepend(`${n} `);
      n++;
    }
  });
  return visibleText($.root()[0]!).split('\n').join('\n\n');
}
