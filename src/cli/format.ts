import type { XjEvent } from '../detect/events.js';
import { out, safe } from './common.js';

const useColor = () => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
export const bold = (s: string) => (useColor() ? `\x1b[1m${s}\x1b[22m` : s);
export const dim = (s: string) => (useColor() ? `\x1b[2m${s}\x1b[22m` : s);
export const red = (s: string) => (useColor() ? `\x1b[31m${s}\x1b[39m` : s);
export const green = (s: string) => (useColor() ? `\x1b[32m${s}\x1b[39m` : s);
export const yellow = (s: string) => (useColor() ? `\x1b[33m${s}\x1b[39m` : s);

/** Marks every occurrence of the term in a snippet (in colour on a terminal, 【】 otherwise). */
export function highlight(snippet: string, term: string): string {
  const s = safe(snippet);
  if (!term) return s;
  return s.split(term).join(useColor() ? `\x1b[1;33m${term}\x1b[22;39m` : `【${term}】`);
}

export function printEventHuman(e: XjEvent): void {
  switch (e.kind) {
    case 'new_posting': {
      out(`${green('NEW')}  ${bold(safe(e.title) || '(no title)')}  ${dim(`${e.site} · ${e.published ?? 'no date'}`)}`);
      out(`     ${safe(e.url)}`);
      for (const t of e.terms) out(`     ${bold(t.term)} ×${t.count}${t.source ? dim(` (${safe(t.source)})`) : ''}  ${highlight(t.snippet, t.term)}`);
      for (const a of e.attachments) out(`     ${dim('attachment')} ${safe(a.name)}${a.error ? red(` (${safe(a.error)})`) : ''}`);
      out(`     ${dim(`capture ${e.capture}`)}`);
      break;
    }
    case 'site_broken':
      out(`${red('SITE BROKEN')}  ${e.site}: ${safe(e.url)} — ${safe(e.reason)}`);
      break;
  }
}
