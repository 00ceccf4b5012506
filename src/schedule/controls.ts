import type { Answer } from '../detect/classify.js';

/** A control's answer in a few words, for a check's controls summary. */
export function describeAnswer(a: Answer | undefined): string {
  if (!a) return 'not fetched';
  if (a.errorKind) return `${a.errorKind} (${a.errorMessage ?? ''})`;
  return `HTTP ${a.status}${a.redirected && a.finalUrl ? ` via redirect to ${a.finalUrl}` : ''}${a.title ? ` "${a.title.slice(0, 60)}"` : ''}`;
}

/** A URL shaped like the site's postings that never existed: its last number replaced by a random one. */
export function madeUpUrl(like: string): string {
  const u = new URL(like);
  const random = String(900000000 + Math.floor(Math.random() * 99999999));
  const q = u.search.replace(/(\d+)(?!.*\d)/, random);
  if (q !== u.search) {
    u.search = q;
    return u.href;
  }
  const p = u.pathname.replace(/(\d+)(?!.*\d)/, random);
  u.pathname = p !== u.pathname ? p : `${u.pathname.replace(/\/[^/]*$/, '/')}xjwatch-control-${random}.htm`;
  return u.href;
}
