import type { XjEvent } from '../detect/events.js';
import type { WebContext } from './context.js';
import { eventLine, eventTitle, KIND_LABELS } from './event-line.js';

export const PAGE_SIZE = 50;

/** A site's health in a word, from what its last run and the open reports say. */
export function health(s: { trouble: string | null; last_run: { status: string } | null; suspected: number }): { word: string; css: string } {
  if (s.trouble === 'challenge_failed') return { word: 'blocked 被拦截', css: 'health-bad' };
  if (s.trouble) return { word: `${s.trouble.replace('_', ' ')} 异常`, css: 'health-bad' };
  if (!s.last_run) return { word: 'never run 未运行', css: 'health-quiet' };
  if (s.last_run.status !== 'ok') return { word: `last run ${s.last_run.status}`, css: 'health-bad' };
  return { word: 'ok 正常', css: 'health-ok' };
}

/** The timeline's filters from a query string; a bad value is a 400 that names it. */
export function timelineFilter(q: Record<string, string | undefined>, terms: WebContext['terms']) {
  const bad = (what: string) => Object.assign(new Error(what), { statusCode: 400 });
  if (q.kind && !(q.kind in KIND_LABELS)) throw bad(`unknown event kind "${q.kind}"`);
  const day = (v: string | undefined, name: string, next = false) => {
    if (!v) return undefined;
    const d = new Date(v);
    if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime())) throw bad(`${name} "${v}" is not a date (YYYY-MM-DD)`);
    if (next && /^\d{4}-\d{2}-\d{2}$/.test(v)) d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString();
  };
  const before = q.before ? Number(q.before) : undefined;
  if (before !== undefined && !(Number.isInteger(before) && before > 0)) throw bad(`before "${q.before}" is not an event id`);
  // a term, or a tag of the term list: every term that carries it
  const want = q.term?.trim();
  const byTag = want ? terms.filter((t) => t.tags.includes(want)).map((t) => t.term) : [];
  return {
    site: q.site || undefined,
    kind: q.kind || undefined,
    terms: want ? (byTag.length ? byTag : [want]) : undefined,
    since: day(q.since, 'since'),
    until: day(q.until, 'until', true),
    attachment: q.attachment === '1' || q.attachment === 'true',
    before,
    limit: PAGE_SIZE,
  };
}

/** An event as a row of the timeline. */
export function eventRow(r: { id: number; page_id: number | null; body: string }) {
  const e = JSON.parse(r.body) as XjEvent;
  return { id: r.id, page_id: r.page_id, e, label: KIND_LABELS[e.kind], line: eventLine(e), title: eventTitle(e) };
}
