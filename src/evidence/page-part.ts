import { wordDiff } from '../detect/diff.js';
import type { ChangedEvent } from '../detect/events.js';
import { sheetChangeLines } from '../text/sheet-changes.js';
import type { BlobStore } from '../store/blobs.js';
import type { FetchRecord } from '../store/rows.js';
import type { CopiedRecord } from './bundle-warc.js';
import { extensionFor, type BundleFiles } from './files.js';
import type { PageEvidence } from './gather.js';
import type { CaptureFacts } from '../store/evidence-reads.js';

/** "captured by the Internet Archive on …, fetched by xjwatch on …" for a third-party capture. */
export function thirdPartyLine(c: CaptureFacts): string | undefined {
  const t = c.third_party;
  return t ? `captured by the ${t.archive} on ${t.archived_at}, fetched by xjwatch on ${c.at} from ${t.archive_url}${t.digest ? ` (archive digest ${t.digest})` : ''}` : undefined;
}
import type { ReportPage, TimelineRow } from './report.js';
import type { BundleVerdict } from './verdict.js';

/** One page's folder of a bundle (pages/<n>/), and the list of its files the report shows. */
class PageFolder {
  readonly listed: ReportPage['files'] = [];
  // a body seen twice (a check answering what was captured) is one file
  private readonly bodyPaths = new Map<string, string>();

  constructor(
    private readonly files: BundleFiles,
    private readonly blobs: BlobStore,
    readonly base: string,
  ) {}

  /** A body as received, named by its type; undefined when the store lacks it. */
  body(sha: string | null, ct: string | null, url: string, name: string, label: string): string | undefined {
    if (!sha) return undefined;
    const had = this.bodyPaths.get(sha);
    if (had) return had;
    let data: Buffer;
    try {
      data = this.blobs.get(sha);
    } catch {
      return undefined; // verify --data-dir names a missing blob; the WARC record still holds the body
    }
    const path = this.files.write(`${this.base}/${name}.${extensionFor(ct, url)}`, data, label);
    this.bodyPaths.set(sha, path);
    this.listed.push({ label, path });
    return path;
  }

  text(name: string, text: string, shown: string, label: string): void {
    this.listed.push({ label: shown, path: this.files.write(`${this.base}/${name}`, text, label) });
  }

  /** A screenshot or print, written but not listed: the report lists pictures once all are in. */
  picture(sha: string | null, name: string, label: string): string | undefined {
    if (!sha) return undefined;
    try {
      return this.files.write(`${this.base}/${name}`, this.blobs.get(sha), label);
    } catch {
      return undefined;
    }
  }
}

/** A page's part of a bundle: its files written, its section of the report, its entry in the manifest. */
export function pagePart(
  ev: PageEvidence,
  n: number,
  v: BundleVerdict,
  files: BundleFiles,
  blobs: BlobStore,
  recordOf: Map<string, CopiedRecord>,
  glosses: Map<string, string | undefined>,
): { report: ReportPage; manifest: object } {
  const folder = new PageFolder(files, blobs, `pages/${n}`);
  keepCapturesAndChecks(ev, folder);
  const diff = diffOf(ev, folder);
  const pictures = picturesOf(ev, folder);
  const attachments = attachmentsOf(ev, folder);
  const first = ev.captures[0]!;
  const last = ev.captures.at(-1)!;
  const report: ReportPage = {
    n,
    url: ev.page.url,
    site: `${ev.siteName ?? ev.page.site_id}${ev.siteHome ? ` (${ev.siteHome})` : ''}`,
    title: last.title ?? ev.page.title,
    published: last.published ?? ev.page.published,
    verdict: v,
    timeline: timelineOf(ev, recordOf),
    hits: (ev.hits.get(last.id) ?? ev.hits.get(first.id) ?? []).map((h) => ({ ...h, gloss: glosses.get(h.term) })),
    excerpt: (last.text ?? '').slice(0, 20_000),
    diff,
    pictures,
    files: folder.listed,
    attachments,
    thirdParty: ev.captures.map((c, k) => (thirdPartyLine(c) ? `capture ${k + 1}: ${thirdPartyLine(c)}` : undefined)).filter((s): s is string => Boolean(s)),
    listed: ev.listings.map((l) => `${l.list_url} (seen there ${l.first_seen_at} – ${l.last_seen_at})`),
  };
  return { report, manifest: manifestOf(ev, n, v, report.title, recordOf) };
}

/** Each capture's body and extracted text; the body of each check whose answer was not the page as kept. */
function keepCapturesAndChecks(ev: PageEvidence, folder: PageFolder): void {
  ev.captures.forEach((c, k) => {
    const tp = thirdPartyLine(c);
    folder.body(c.body_sha256, c.content_type, c.final_url, `captures/${k + 1}`, tp ? `capture ${k + 1}, THIRD-PARTY (${tp}): the archive's copy as received` : `capture ${k + 1} (${c.at}): the body as received`);
    if (c.text) folder.text(`captures/${k + 1}.extracted.txt`, c.text, `capture ${k + 1}: extracted text`, `capture ${k + 1}: extracted text (UTF-8)`);
  });
  for (const c of ev.checks) {
    const f = c.fetch_id ? ev.fetches.get(c.fetch_id) : undefined;
    if (f && c.outcome !== 'unchanged' && c.outcome !== 'trivial' && c.outcome !== 'changed') folder.body(f.body_sha256, f.content_type, f.url, `checks/${c.id}-${f.status ?? 'failed'}`, `check of ${c.at}: the answer's body`);
  }
}

/** Captures and checks in time order, each with where its exchange sits in the bundle's WARC. */
function timelineOf(ev: PageEvidence, recordOf: Map<string, CopiedRecord>): TimelineRow[] {
  const timeline: TimelineRow[] = [];
  const warcAt = (f: FetchRecord | undefined) => {
    const r = f ? recordOf.get(f.exchange_id) : undefined;
    return r ? `evidence.warc.gz @${r.offset}+${r.length}` : undefined;
  };
  ev.captures.forEach((c, k) => {
    const f = ev.fetches.get(c.fetch_id);
    const tp = thirdPartyLine(c);
    if (tp) timeline.push({ at: c.third_party!.archived_at, what: `capture ${k + 1} (third-party: the Internet Archive saw the page)`, status: '200 (archive)', ip: '', result: `${c.title ?? ''} — ${tp}`, sha256: c.body_sha256 });
    timeline.push({ at: c.at, what: tp ? `capture ${k + 1} fetched from the archive by xjwatch` : `capture ${k + 1}`, status: String(c.status), ip: f?.ip ?? '', result: `${c.title ?? ''}${c.final_url !== ev.page.url ? ` (at ${c.final_url})` : ''}`, sha256: c.body_sha256, warc: warcAt(f) });
  });
  for (const c of ev.checks) {
    const f = c.fetch_id ? ev.fetches.get(c.fetch_id) : undefined;
    const ctl = c.controls;
    const controls = ctl
      ? `controls ${ctl.healthy ? 'healthy' : 'NOT healthy'} — home: ${ctl.home ?? '?'}; sibling: ${ctl.sibling ?? '?'}; made-up address: ${ctl.not_found ?? '?'}${ctl.site_trouble ? '; the site as a whole was in trouble' : ''}`
      : undefined;
    timeline.push({
      at: c.at,
      what: 'check',
      status: c.status !== null ? String(c.status) : f?.error_kind ?? '-',
      ip: f?.ip ?? '',
      result: `${c.outcome}${c.reason ? ` (${c.reason})` : ''}${c.detail ? `: ${c.detail}` : ''}${c.final_url && c.final_url !== ev.page.url ? ` → ${c.final_url}` : ''}${c.counted ? ' · counted towards confirmation' : ''}`,
      sha256: f?.body_sha256 ?? '',
      controls,
      warc: warcAt(f),
    });
  }
  return timeline.sort((a, b) => a.at.localeCompare(b.at));
}

/** The word diff of the extracted text, first capture to last, when there are two to compare. */
function diffOf(ev: PageEvidence, folder: PageFolder): ReportPage['diff'] {
  const first = ev.captures[0]!;
  const last = ev.captures.at(-1)!;
  if (ev.captures.length <= 1 || first.text === null || last.text === null) return undefined;
  const parts = wordDiff(first.text, last.text);
  const diff = { from: `capture 1 (${first.at})`, to: `capture ${ev.captures.length} (${last.at})`, parts };
  const text = parts.map((p) => (p.type === 'added' ? `[+${p.text}+]` : p.type === 'removed' ? `[-${p.text}-]` : p.text)).join('');
  folder.text('diff.txt', `--- ${diff.from}\n+++ ${diff.to}\n[-removed-] [+added+]\n\n${text}\n`, 'word diff, first to last capture', 'word diff of the extracted text, first to last capture');
  return diff;
}

/** The last live capture as rendered from its own bytes, and what the address answered when last pictured. */
function picturesOf(ev: PageEvidence, folder: PageFolder): ReportPage['pictures'] {
  const last = ev.captures.at(-1)!;
  const pictures: ReportPage['pictures'] = [];
  const newestFirst = [...ev.renderings].reverse();
  const liveRender = newestFirst.find((r) => r.what === 'capture' && r.capture_id === last.id && r.png_sha256) ?? newestFirst.find((r) => r.what === 'capture' && r.png_sha256);
  if (liveRender) {
    const k = ev.captures.findIndex((c) => c.id === liveRender.capture_id) + 1;
    const label = `the last live capture (capture ${k}, ${ev.captures[k - 1]?.at ?? ''}) replayed in Chromium from its recorded bytes and the requisites recorded with it`;
    // the note names what the page asked for that is not on record (and so is not in the picture)
    pictures.push({ label, png: folder.picture(liveRender.png_sha256, 'pictures/last-live.png', `screenshot: ${label}`), pdf: folder.picture(liveRender.pdf_sha256, 'pictures/last-live.pdf', `PDF print: ${label}`), ...(liveRender.problem ? { note: liveRender.problem } : {}) });
  }
  const present = newestFirst.find((r) => r.what === 'present');
  if (present) {
    const label = `what the address answered on ${present.at}`;
    pictures.push({ label, png: folder.picture(present.png_sha256, 'pictures/present.png', `screenshot: ${label}`), pdf: folder.picture(present.pdf_sha256, 'pictures/present.pdf', `PDF print: ${label}`), ...(present.problem ? { note: present.problem } : {}) });
  }
  for (const p of pictures) for (const path of [p.png, p.pdf]) if (path) folder.listed.push({ label: p.label, path });
  return pictures;
}

/**
 * Each attachment's newest capture and its extracted text; the captures before it, when the file
 * changed, and the changes as they were reported (a workbook's by row and cell).
 */
function attachmentsOf(ev: PageEvidence, folder: PageFolder): ReportPage['attachments'] {
  return ev.attachments.map((a, k) => {
    const n = k + 1;
    const caps = a.evidence.captures;
    const c = caps.at(-1);
    const path = c ? folder.body(c.body_sha256, c.content_type, a.evidence.page.url, `attachments/${n}`, `attachment ${n} as received`) : undefined;
    if (c?.text) folder.text(`attachments/${n}.extracted.txt`, c.text, `attachment ${n}: extracted text`, `attachment ${n}: extracted text (UTF-8)`);
    caps.slice(0, -1).forEach((e, j) => {
      folder.body(e.body_sha256, e.content_type, a.evidence.page.url, `attachments/${n}.capture-${j + 1}`, `attachment ${n}, capture ${j + 1} of ${caps.length} (${e.at}), as received`);
      if (e.text) folder.text(`attachments/${n}.capture-${j + 1}.extracted.txt`, e.text, `attachment ${n}, capture ${j + 1}: extracted text`, `attachment ${n}, capture ${j + 1}: extracted text (UTF-8)`);
    });
    const changes = a.evidence.changes.map(({ at, event }) => ({ at, from: event.previous_capture, to: event.capture, lines: changeLines(event) }));
    if (changes.length) {
      const text = changes.map((ch) => [`--- changed, reported ${ch.at}: ${ch.from} → ${ch.to}`, ...ch.lines].join('\n')).join('\n\n');
      folder.text(`attachments/${n}.changes.txt`, `${text}\n`, `attachment ${n}: its changes as reported`, `attachment ${n}: its changes as reported, row by row for a spreadsheet`);
    }
    return { name: a.name ?? a.evidence.page.title ?? a.evidence.page.url, url: a.evidence.page.url, sha256: c?.body_sha256 ?? null, ...(path ? { path } : {}), captures: caps.length, changes };
  });
}

/** A change in lines: a workbook's rows and cells, else its word runs. */
function changeLines(e: ChangedEvent): string[] {
  if (e.rows) return sheetChangeLines(e.rows, Number.POSITIVE_INFINITY);
  return [...e.removed.map((r) => `[-${r}-]`), ...e.added.map((a) => `[+${a}+]`)];
}

/** The page's entry in manifest.json: the verdict, what it rests on, and where its WARC records are. */
function manifestOf(ev: PageEvidence, n: number, v: BundleVerdict, title: string | null, recordOf: Map<string, CopiedRecord>): object {
  const records = [...ev.fetches.values(), ...ev.attachments.flatMap((a) => [...a.evidence.fetches.values()])]
    .map((f) => recordOf.get(f.exchange_id))
    .filter((r): r is CopiedRecord => Boolean(r))
    .sort((a, b) => a.offset - b.offset);
  return {
    n,
    url: ev.page.url,
    title,
    verdict: v.name,
    headline: v.headline,
    deleted: v.deleted,
    reason: v.reason ?? null,
    confirmed_on: v.confirmedOn,
    first_captured_at: ev.captures[0]!.at,
    last_live_at: v.lastLiveAt ?? null,
    last_check_at: v.lastCheckAt ?? null,
    captures: ev.captures.map((c) => ({
      at: c.at,
      status: c.status,
      sha256: c.body_sha256,
      text_sha256: c.text_sha256,
      ...(c.third_party ? { third_party: { archive: c.third_party.archive, archived_at: c.third_party.archived_at, fetched_at: c.at, archive_url: c.third_party.archive_url, original_url: c.third_party.original_url, digest: c.third_party.digest } } : {}),
    })),
    checks: ev.checks.map((c) => ({ at: c.at, outcome: c.outcome, reason: c.reason, status: c.status, final_url: c.final_url, controls_healthy: c.controls?.healthy ?? null, counted: Boolean(c.counted) })),
    records,
  };
}
