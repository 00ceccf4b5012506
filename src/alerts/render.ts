import { termWhere } from '../terms/where.js';
import { esc, markedHtml } from '../text/html-escape.js';
import { sheetChangeLines, type SheetChangeList } from '../text/sheet-changes.js';
import type { Term } from '../terms/types.js';
import { operatorAdvice, operatorLabel } from './operator-text.js';

/** An attachment's event names the file and its posting (detect/events.ts AttachmentRef). */
interface AttachmentOfEvent {
  name: string;
  posting: string;
}

/** A file a changed posting links anew (detect/events.ts AttachmentSummary). */
interface NewFile {
  url: string;
  name: string;
  error?: string;
}

/** Everything a mail says about one event, gathered from the catalogue beforehand. */
export interface AlertItem {
  kind: string;
  site: string;
  siteName: string;
  url: string;
  title: string;
  published: string | null;
  /** the event's own fields (see detect/events.ts) */
  body: Record<string, unknown>;
  capture?: { at: string; sha256: string };
  hits: { term: string; count: number; snippet: string; source?: string; in?: string; places?: string[] }[];
  screenshot?: { filename: string; content: Buffer };
  bundle?: { dir: string; zip: string; attach?: Buffer; headline: string };
  proveCommand?: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  attachments: { filename: string; content: Buffer; contentType: string; cid?: string }[];
}

/** Page text in a subject or a plain-text line: no control characters, no line breaks, bounded. */
const flat = (s: unknown, max = 200) => {
  const t = String(s ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

const REASONS: Record<string, string> = {
  http_404: 'the address answers 404 Not Found',
  http_410: 'the address answers 410 Gone',
  soft_404: 'the address answers with the site\'s "page not found" page (HTTP 200)',
  redirect_home: 'the address now sends readers to the home page',
  dns_gone: 'the host name no longer resolves while the rest of the site does',
};

/** A moment in the reader's time zone, with UTC beside it. */
export function when(iso: string | null | undefined, tz: string): string {
  if (!iso) return 'unknown';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const f = (zone: string) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d).replace(',', '');
  return tz === 'UTC' ? `${f('UTC')} UTC` : `${f(tz)} ${tz} (${f('UTC')} UTC)`;
}

function headline(i: AlertItem): string {
  const b = i.body;
  switch (i.kind) {
    case 'new_posting':
      return `new posting mentions ${i.hits.map((h) => h.term).slice(0, 3).join(', ') || 'no tracked term'}`;
    case 'changed': {
      const what = b.attachment ? 'attachment changed' : 'page changed';
      return (b.terms_appeared as string[] | undefined)?.length ? `${what}: now mentions ${(b.terms_appeared as string[]).join(', ')}` : what;
    }
    case 'deleted':
      return `${b.attachment ? 'attachment' : 'page'} deleted (${b.reason})`;
    case 'suspected_deletion':
      return `${b.attachment ? 'attachment' : 'page'} may have been deleted (${b.reason}), not yet confirmed`;
    case 'delisted':
      return 'page taken off its list (still served)';
    case 'restored':
      return b.scope === 'site' ? 'site back' : 'page back';
    case 'operator':
      return operatorLabel(b.problem, b.state);
    default:
      return `${i.kind.replace('_', ' ')}${b.scope === 'site' ? ' (whole site)' : ''}`;
  }
}

/** An operator problem is about the watch, not a page: what was measured, since when, what to do. */
function operatorText(i: AlertItem, tz: string): string[] {
  const b = i.body;
  return [
    `OPERATOR: ${headline(i).toUpperCase()} — ${flat(b.subject, 200)}`,
    `Measured:   ${flat(b.summary, 600)}`,
    `Since:      ${when(b.since as string, tz)}`,
    `Reported:   ${when(b.at as string, tz)}`,
    ...(i.url ? [`Address:    ${i.url}`] : []),
    `What to do: ${operatorAdvice(b.problem, b.state)}`,
  ];
}

function operatorHtml(i: AlertItem, tz: string, row: (k: string, v: string) => string): string {
  const b = i.body;
  const rows = [
    row('Measured', esc(b.summary)),
    row('Since', esc(when(b.since as string, tz))),
    row('Reported', esc(when(b.at as string, tz))),
    ...(i.url ? [row('Address', `<a href="${esc(i.url)}">${esc(i.url)}</a>`)] : []),
    row('What to do', esc(operatorAdvice(b.problem, b.state))),
  ];
  return `<div style="margin:0 0 24px 0"><h2 style="font-size:16px;margin:0 0 6px 0">operator: ${esc(headline(i))} — ${esc(b.subject)}</h2><table style="border-collapse:collapse;font-size:14px">${rows.join('')}</table></div>`;
}

function itemText(i: AlertItem, tz: string, gloss: Map<string, string | undefined>): string[] {
  const b = i.body;
  if (i.kind === 'operator') return operatorText(i, tz);
  const L: string[] = [`${headline(i).toUpperCase()} — ${i.siteName} (${i.site})`, `Title:      ${flat(i.title, 300)}`];
  if (i.published) L.push(`Published:  ${i.published} (as the page states)`);
  L.push(`Address:    ${i.url}`);
  const file = b.attachment as AttachmentOfEvent | undefined;
  if (file) L.push(`File:       ${flat(file.name, 160)}, attached to the posting ${file.posting}`);
  for (const h of i.hits) L.push(`Term:       ${h.term}${gloss.get(h.term) ? ` (${gloss.get(h.term)})` : ''} ×${h.count}${termWhere(h) ? ` in ${flat(termWhere(h)!, 160)}` : ''}: …${flat(h.snippet, 160)}…`);
  if (i.kind === 'changed') {
    if (b.rows) for (const r of sheetChangeLines(b.rows as SheetChangeList)) L.push(`Row:        ${flat(r, 300)}`);
    for (const f of (b.attachments_added as NewFile[] | undefined) ?? []) L.push(`New file:   ${flat(f.name, 160)}${f.error ? ` (could not be read: ${flat(f.error, 200)})` : ''} — ${f.url}`);
    for (const r of (b.removed as string[]) ?? []) L.push(`Removed:    [-${flat(r, 300)}-]`);
    for (const a of (b.added as string[]) ?? []) L.push(`Added:      [+${flat(a, 300)}+]`);
    if ((b.terms_vanished as string[])?.length) L.push(`Terms gone: ${(b.terms_vanished as string[]).join(', ')}`);
    L.push(`Before:     captured ${when(b.previous_at as string, tz)}, ${b.previous_capture}`);
  }
  if (i.kind === 'deleted' || i.kind === 'suspected_deletion') {
    L.push(`Now:        ${REASONS[b.reason as string] ?? b.reason} — ${flat(b.detail, 200)}`);
    L.push(`Confirmed:  on ${b.checks} check(s) in a row since ${when(b.failing_since as string, tz)}, with healthy controls (home page up, other postings served)`);
    L.push(`Last seen:  ${when(b.last_seen as string, tz)}, ${b.last_capture}`);
  }
  if (i.kind === 'delisted') L.push(`List:       ${b.list}`, `Last listed: ${when(b.last_listed_at as string, tz)}`);
  if (i.kind === 'restored') L.push(`Was:        ${b.was}${b.same_text === true ? '; the text is the same as before' : b.same_text === false ? '; the text differs from before' : ''}`);
  if (['unreachable', 'challenge_failed', 'site_broken'].includes(i.kind)) L.push(`Why:        ${flat(b.reason, 100)} — ${flat(b.detail, 300)}`, 'This is not evidence that any page was deleted.');
  if (i.capture && i.kind !== 'deleted' && i.kind !== 'suspected_deletion') L.push(`Captured:   ${when(i.capture.at, tz)}, SHA-256 ${i.capture.sha256}`);
  if (i.bundle) L.push(`Evidence:   ${i.bundle.headline}; bundle ${i.bundle.attach ? 'attached' : 'kept'} as ${i.bundle.zip}`);
  if (i.proveCommand) L.push(`Prove it:   ${i.proveCommand}`);
  if (i.screenshot) L.push(`Screenshot: attached (${i.screenshot.filename})`);
  return L;
}

function itemHtml(i: AlertItem, tz: string, gloss: Map<string, string | undefined>, cid?: string): string {
  const b = i.body;
  const row = (k: string, v: string) => `<tr><th style="text-align:left;vertical-align:top;padding:2px 10px 2px 0;white-space:nowrap">${esc(k)}</th><td style="padding:2px 0">${v}</td></tr>`;
  if (i.kind === 'operator') return operatorHtml(i, tz, row);
  const rows: string[] = [row('Title', `<span lang="zh">${esc(i.title)}</span>`)];
  if (i.published) rows.push(row('Published', `${esc(i.published)} <small>(as the page states)</small>`));
  // the address shown is exactly the one linked: page text never becomes a link
  rows.push(row('Address', `<a href="${esc(i.url)}">${esc(i.url)}</a>`));
  const file = b.attachment as AttachmentOfEvent | undefined;
  if (file) rows.push(row('File', `<span lang="zh">${esc(file.name)}</span>, attached to the posting <a href="${esc(file.posting)}">${esc(file.posting)}</a>`));
  if (i.hits.length) {
    rows.push(row('Terms', i.hits.map((h) => `<div><b lang="zh">${esc(h.term)}</b>${gloss.get(h.term) ? ` (${esc(gloss.get(h.term))})` : ''} ×${h.count}${termWhere(h) ? ` <small>in ${esc(termWhere(h)!)}</small>` : ''}<br><span lang="zh" style="color:#333">…${markedHtml(h.snippet, h.term)}…</span></div>`).join('')));
  }
  if (i.kind === 'changed') {
    const runs = [...((b.removed as string[]) ?? []).map((r) => `<del style="background:#fbd5d5">${esc(r)}</del>`), ...((b.added as string[]) ?? []).map((a) => `<ins style="background:#d4f7d4">${esc(a)}</ins>`)];
    const added = (b.attachments_added as NewFile[] | undefined) ?? [];
    if (added.length) rows.push(row('New files', added.map((f) => `<div><span lang="zh">${esc(f.name)}</span>${f.error ? ` <small>(could not be read: ${esc(f.error)})</small>` : ''} — <code>${esc(f.url)}</code></div>`).join('')));
    if (b.rows) rows.push(row('Rows', `<div lang="zh">${sheetChangeLines(b.rows as SheetChangeList).map(esc).join('<br>')}</div>`));
    if (runs.length) rows.push(row('What changed', `<div lang="zh">${runs.join('<br>')}</div>`));
    if ((b.terms_vanished as string[])?.length) rows.push(row('Terms gone', esc((b.terms_vanished as string[]).join(', '))));
    rows.push(row('Before', `captured ${esc(when(b.previous_at as string, tz))}, <code>${esc(b.previous_capture)}</code>`));
  }
  if (i.kind === 'deleted' || i.kind === 'suspected_deletion') {
    rows.push(row('Now', `${esc(REASONS[b.reason as string] ?? b.reason)} <small>(${esc(b.detail)})</small>`));
    rows.push(row('Confirmed', `on ${esc(b.checks)} check(s) in a row since ${esc(when(b.failing_since as string, tz))}, with healthy controls (home page up, other postings served)`));
    rows.push(row('Last seen', `${esc(when(b.last_seen as string, tz))}, <code>${esc(b.last_capture)}</code>`));
  }
  if (i.kind === 'delisted') rows.push(row('List', `${esc(b.list)}<br>last listed ${esc(when(b.last_listed_at as string, tz))}`));
  if (i.kind === 'restored') rows.push(row('Was', esc(b.was)));
  if (['unreachable', 'challenge_failed', 'site_broken'].includes(i.kind)) rows.push(row('Why', `${esc(b.reason)}: ${esc(b.detail)}<br><small>Not evidence that any page was deleted.</small>`));
  if (i.capture && i.kind !== 'deleted' && i.kind !== 'suspected_deletion') rows.push(row('Captured', `${esc(when(i.capture.at, tz))}<br><code>sha256:${esc(i.capture.sha256)}</code>`));
  if (i.bundle) rows.push(row('Evidence', `${esc(i.bundle.headline)}<br>bundle ${i.bundle.attach ? 'attached' : 'kept'}: <code>${esc(i.bundle.zip)}</code>`));
  if (i.proveCommand) rows.push(row('Prove it', `<code>${esc(i.proveCommand)}</code>`));
  const pic = cid ? `<p><img src="cid:${esc(cid)}" alt="screenshot of the page as captured" style="max-width:100%;border:1px solid #ccc"></p>` : '';
  return `<div style="margin:0 0 24px 0"><h2 style="font-size:16px;margin:0 0 6px 0">${esc(headline(i))} — ${esc(i.siteName)} <small style="color:#666">(${esc(i.site)})</small></h2><table style="border-collapse:collapse;font-size:14px">${rows.join('')}</table>${pic}</div>`;
}

/** One mail for one event, or a digest of many, in HTML and plain text. */
export function renderMail(items: AlertItem[], opts: { tz: string; terms: Term[]; digest?: 'daily' | 'weekly' }): RenderedMail {
  const gloss = new Map(opts.terms.map((t) => [t.term, t.gloss]));
  const attachments: RenderedMail['attachments'] = [];
  let subject: string;
  if (!opts.digest && items.length === 1) {
    const i = items[0]!;
    const about = flat(i.title, 90) || flat(i.siteName, 60);
    subject = i.kind === 'operator' ? `[xjwatch] operator: ${flat(headline(i), 80)} — ${flat(i.body.subject, 90)}` : `[xjwatch] ${flat(i.site, 40)}: ${flat(headline(i), 80)}${about ? ` — ${about}` : ''}`;
  } else {
    const counts = new Map<string, number>();
    for (const i of items) counts.set(i.kind, (counts.get(i.kind) ?? 0) + 1);
    const what = [...counts].map(([k, n]) => `${n} ${k.replace('_', ' ')}`).join(', ');
    subject = `[xjwatch] ${opts.digest ?? 'digest'} digest: ${what} (${when(new Date().toISOString(), opts.tz).slice(0, 10)})`;
  }
  const blocks: string[] = [];
  const texts: string[] = [];
  items.forEach((i, k) => {
    let cid: string | undefined;
    if (i.screenshot) {
      cid = `shot${k + 1}@xjwatch.local`;
      attachments.push({ filename: i.screenshot.filename, content: i.screenshot.content, contentType: 'image/png', cid });
    }
    if (i.bundle?.attach) attachments.push({ filename: i.bundle.zip.replace(/^.*\//, ''), content: i.bundle.attach, contentType: 'application/zip' });
    blocks.push(itemHtml(i, opts.tz, gloss, cid));
    texts.push(itemText(i, opts.tz, gloss).join('\n'));
  });
  const footer = `Times are shown in ${opts.tz} with UTC. Every capture is kept as WARC records with the SHA-256 shown; \`xjwatch history <address>\` lists them.`;
  const text = `${texts.join('\n\n----\n\n')}\n\n-- \n${footer}\n`;
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${esc(subject)}</title></head><body style="font-family:sans-serif;color:#111;max-width:760px">${blocks.join('<hr style="border:0;border-top:1px solid #ccc">')}<p style="color:#666;font-size:12px">${esc(footer)}</p></body></html>`;
  return { subject, text, html, attachments };
}
