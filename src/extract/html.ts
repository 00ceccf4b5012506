import { load, type CheerioAPI } from 'cheerio/slim';
import type { AnyNode, Element } from 'domhandler';

/** htmlparser2 (via cheerio/slim): lenient with the broken markup government CMSes emit, and fast. */
export function parseHtml(html: string): CheerioAPI {
  return load(html, { xml: { xmlMode: false, decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true } });
}

const SKIP = new Set(['script', 'style', 'noscript', 'template', 'head', 'iframe', 'object', 'svg', 'select', 'button', 'textarea']);
const BLOCK = new Set([
  'p', 'div', 'section', 'article', 'main', 'header', 'footer', 'nav', 'aside', 'ul', 'ol', 'li', 'dl', 'dt', 'dd',
  'table', 'tbody', 'thead', 'tfoot', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'form',
  'fieldset', 'address', 'figure', 'figcaption', 'center', 'hr', 'caption',
]);
const CELL = new Set(['td', 'th']);

/**
 * Visible text of a subtree with block boundaries as line breaks and table cells separated, so
 * that snippets and diffs read like the page (cheerio's .text() runs everything together).
 */
export function visibleText(nodes: AnyNode | AnyNode[]): string {
  const out: string[] = [];
  const walk = (node: AnyNode) => {
    if (node.type === 'text') {
      // in HTML a line break inside text is just white space; lines come from blocks and <br>
      out.push((node as unknown as { data: string }).data.replace(/[\r\n]+/g, ' '));
      return;
    }
    if (node.type !== 'tag' && node.type !== 'root') return;
    const el = node as Element;
    const name = el.name;
    if (name && SKIP.has(name)) return;
    if (name === 'br') {
      out.push('\n');
      return;
    }
    const block = name ? BLOCK.has(name) : false;
    if (block) out.push('\n');
    for (const child of el.children ?? []) walk(child);
    if (block) out.push('\n');
    else if (name && CELL.has(name)) out.push(' \t');
  };
  for (const n of Array.isArray(nodes) ? nodes : [nodes]) walk(n);
  return tidyText(out.join(''));
}

/** Collapses spaces within lines and blank lines between them. */
export function tidyText(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t\f\v\u00A0\u3000]+/g, ' ').trim())
    .filter((line) => line.length > 0)
    .join('\n');
}

/** One line of text from an element (titles, link texts). */
export function inlineText($: CheerioAPI, el: AnyNode | ReturnType<CheerioAPI>): string {
  const nodes = 'cheerio' in (el as object) ? (el as ReturnType<CheerioAPI>).toArray() : [el as AnyNode];
  return visibleText(nodes).replace(/\s*\n\s*/g, ' ').trim();
}
