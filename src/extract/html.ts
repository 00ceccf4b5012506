import { load, type CheerioAPI } from 'cheerio/slim';
import type { AnyNode, Element } from 'domhandler';

/** htmlparser2 (via cheerio/slim): lenient with the broken markup government CMSes emit, and fast. */
export function parseHtml(html: string): CheerioAPI {
  const tooDeep = maxNesting(html) > PARSE_DEPTH;
  const $ = load(tooDeep ? flatMarkup(html) : html, { xml: { xmlMode: false, decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true } });
  const cut = flattenDeep($.root()[0]!);
  if (tooDeep || cut) ($.root()[0] as unknown as { xjFlattened?: boolean }).xjFlattened = true;
  return $;
}

/** Nesting beyond which even parsing turns quadratic (htmlparser2 searches its open-tag stack). */
const PARSE_DEPTH = 2000;
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr', 'p', 'li', 'option', 'td', 'tr', 'th']);

/** A linear estimate of how deep the markup nests (unclosed p/li/td count as closed). */
function maxNesting(html: string): number {
  let depth = 0;
  let max = 0;
  for (const m of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(\/?)>/g)) {
    if (VOID.has(m[2]!.toLowerCase()) || m[3]) continue;
    depth += m[1] ? -1 : 1;
    if (depth < 0) depth = 0;
    if (depth > max) max = depth;
  }
  return max;
}

/** Markup with only the tags that carry text, links and the title: for pages nested absurdly deep. */
function flatMarkup(html: string): string {
  return html.replace(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g, (tag, close: string, name: string) =>
    /^(a|title|head|body|html|meta|br|script|style)$/i.test(name) ? tag : close ? '' : /^(p|div|li|tr|h\d)$/i.test(name) ? '<br>' : '',
  );
}

/** Real pages nest a few dozen levels; queries are quadratic in depth (domutils), so cap it. */
export const MAX_DEPTH = 256;

/**
 * Below MAX_DEPTH a hostile page's elements are replaced by their text, in order: the words are
 * kept, the nesting that would make every query crawl is not. Returns whether anything was cut.
 */
export function flattenDeep(root: AnyNode): boolean {
  let cut = false;
  const stack: [AnyNode, number][] = [[root, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    const el = node as Element;
    if (!el.children) continue;
    if (depth >= MAX_DEPTH) {
      const texts: AnyNode[] = [];
      const inner: AnyNode[] = [...el.children].reverse();
      while (inner.length) {
        const n = inner.pop()!;
        if (n.type === 'text') texts.push(n);
        else if ((n as Element).children) for (let i = (n as Element).children.length - 1; i >= 0; i--) inner.push((n as Element).children[i]!);
      }
      texts.forEach((t, i) => {
        t.parent = el;
        t.prev = texts[i - 1] ?? null;
        t.next = texts[i + 1] ?? null;
      });
      el.children = texts as Element['children'];
      cut = true;
      continue;
    }
    for (const c of el.children) stack.push([c, depth + 1]);
  }
  return cut;
}

/** Whether parseHtml had to flatten the page (a problem worth recording). */
export function wasFlattened($: CheerioAPI): boolean {
  return Boolean(($.root()[0] as unknown as { xjFlattened?: boolean }).xjFlattened);
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
 * Walks with its own stack: a hostile page nested 100,000 deep must not overflow the call stack.
 */
export function visibleText(nodes: AnyNode | AnyNode[]): string {
  const out: string[] = [];
  // a string on the stack is output to emit once the element's children are done
  const stack: (AnyNode | string)[] = (Array.isArray(nodes) ? nodes : [nodes]).slice().reverse();
  while (stack.length) {
    const node = stack.pop()!;
    if (typeof node === 'string') {
      out.push(node);
      continue;
    }
    if (node.type === 'text') {
      // in HTML a line break inside text is just white space; lines come from blocks and <br>
      out.push((node as unknown as { data: string }).data.replace(/[\r\n]+/g, ' '));
      continue;
    }
    if (node.type !== 'tag' && node.type !== 'root' && node.type !== 'script' && node.type !== 'style') continue;
    const el = node as Element;
    const name = el.name;
    if (node.type !== 'root' && (node.type === 'script' || node.type === 'style' || (name && SKIP.has(name)))) continue;
    if (name === 'br') {
      out.push('\n');
      continue;
    }
    const block = name ? BLOCK.has(name) : false;
    if (block) out.push('\n');
    stack.push(block ? '\n' : name && CELL.has(name) ? ' \t' : '');
    const children = el.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return tidyText(out.join(''));
}

/**
 * Length of visible text and of link text under every element, computed once, bottom-up and
 * without recursion, so that scoring blocks stays linear on hostile pages.
 */
export function textLengths(root: AnyNode): { text: Map<AnyNode, number>; links: Map<AnyNode, number> } {
  const text = new Map<AnyNode, number>();
  const links = new Map<AnyNode, number>();
  const order: AnyNode[] = [];
  const stack: AnyNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    order.push(n);
    if (n.type === 'tag' || n.type === 'root') {
      const name = (n as Element).name;
      if (name && SKIP.has(name)) continue;
      for (const c of (n as Element).children ?? []) stack.push(c);
    }
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    if (n.type === 'text') {
      text.set(n, (n as unknown as { data: string }).data.replace(/\s+/g, '').length);
      continue;
    }
    if (n.type !== 'tag' && n.type !== 'root') continue;
    const el = n as Element;
    if (el.name && SKIP.has(el.name)) continue;
    let t = 0;
    let l = 0;
    for (const c of el.children ?? []) {
      t += text.get(c) ?? 0;
      l += links.get(c) ?? 0;
    }
    text.set(n, t);
    links.set(n, el.name === 'a' ? t : l);
  }
  return { text, links };
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
