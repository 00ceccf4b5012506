import type { XjEvent } from '../detect/events.js';
import { termWhere } from '../terms/where.js';
import { sheetChangeLines } from '../text/sheet-changes.js';
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
      for (const t of e.terms) out(`     ${bold(t.term)} ×${t.count}${termWhere(t) ? dim(` (${safe(termWhere(t)!)})`) : ''}  ${highlight(t.snippet, t.term)}`);
      for (const a of e.attachments) out(`     ${dim('attachment')} ${safe(a.name)}${a.error ? red(` (${safe(a.error)})`) : ''}`);
      out(`     ${dim(`capture ${e.capture}`)}`);
      break;
    }
    case 'site_broken':
      out(`${red('SITE BROKEN')}  ${e.site}: ${safe(e.url)} — ${e.reason}: ${safe(e.detail)}`);
      break;
    case 'changed':
      out(`${yellow('CHANGED')}  ${bold(safe(e.title) || '(no title)')}  ${dim(e.site)}`);
      out(`     ${safe(e.url)}`);
      if (e.attachment) out(`     ${dim('attachment')} ${safe(e.attachment.name)} ${dim(`of ${safe(e.attachment.posting)}`)}`);
      if (e.rows) for (const r of sheetChangeLines(e.rows, 8)) out(`     ${safe(r)}`);
      for (const a of e.attachments_added ?? []) out(`     ${dim('new attachment')} ${safe(a.name)}${a.error ? red(` (${safe(a.error)})`) : ''}`);
      for (const r of e.removed.slice(0, 5)) out(`     ${red('−')} ${safe(r)}`);
      for (const a of e.added.slice(0, 5)) out(`     ${green('+')} ${safe(a)}`);
      if (e.terms_appeared.length) out(`     terms appeared: ${e.terms_appeared.join(', ')}`);
      if (e.terms_vanished.length) out(`     terms vanished: ${e.terms_vanished.join(', ')}`);
      out(`     ${dim(`capture ${e.capture} (was ${e.previous_capture}, ${e.previous_at}); see \`xjwatch diff\``)}`);
      break;
    case 'delisted':
      out(`${yellow('DELISTED')}  ${bold(safe(e.title) || '(no title)')}  ${dim(e.site)}`);
      out(`     ${safe(e.url)} is no longer on ${safe(e.list)} (last listed ${e.last_listed_at}) but still served`);
      break;
    case 'suspected_deletion':
    case 'deleted':
      out(`${red(e.kind === 'deleted' ? 'DELETED' : 'SUSPECTED DELETION')}  ${bold(safe(e.title) || '(no title)')}  ${dim(e.site)}`);
      out(`     ${safe(e.url)}`);
      if (e.attachment) out(`     ${dim('attachment')} ${safe(e.attachment.name)} ${dim(`of ${safe(e.attachment.posting)}`)}`);
      out(`     ${e.reason}: ${safe(e.detail)}${e.kind === 'deleted' ? ` — confirmed on ${e.checks} checks since ${e.failing_since}, controls healthy` : ' — not confirmed yet'}`);
      out(`     ${dim(`last seen ${e.last_seen} as ${e.last_capture}`)}`);
      break;
    case 'restored':
      out(`${green('RESTORED')}  ${bold(safe(e.title) || e.site)}  ${dim(`${e.site} · was ${e.was}${e.same_text === null ? '' : e.same_text ? ' · same text' : ' · text differs'}`)}`);
      out(`     ${safe(e.url)}`);
      break;
    case 'unreachable':
    case 'challenge_failed':
      out(`${yellow(e.kind === 'unreachable' ? 'UNREACHABLE' : 'BLOCKED')}  ${e.scope === 'site' ? `site ${e.site}` : safe(e.url)} — ${e.reason}: ${safe(e.detail)}`);
      break;
    case 'operator':
      out(`${e.state === 'raised' ? red('OPERATOR') : green('OPERATOR CLEARED')}  ${e.problem}  ${safe(e.summary)}`);
      break;
  }
}
