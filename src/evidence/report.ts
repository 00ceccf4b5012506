import type { DiffPart } from '../detect/diff.js';
import { esc } from '../text/html-escape.js';
import type { BundleVerdict } from './verdict.js';

/** One row of a page's timeline: a capture, a check of the page, or a control made with a check. */
export interface TimelineRow {
  at: string;
  what: string;
  status: string;
  ip: string;
  result: string;
  sha256: string;
  controls?: string;
  warc?: string;
}

export interface ReportPage {
  n: number;
  url: string;
  site: string;
  title: string | null;
  published: string | null;
  verdict: BundleVerdict;
  timeline: TimelineRow[];
  /** places: where in the attachments ("名单.xls#Sheet1!B214") */
  hits: { term: string; gloss?: string; count: number; snippet: string; places?: string[] }[];
  /** the first lines of the text as last captured, in the original Chinese */
  excerpt: string;
  diff?: { from: string; to: string; parts: DiffPart[] };
  pictures: { label: string; png?: string; pdf?: string; note?: string }[];
  files: { label: string; path: string }[];
  /** `captures`: how many were made of it; `changes`: each as reported, in lines */
  attachments: { name: string; url: string; sha256: string | null; path?: string; captures?: number; changes?: { at: string; from: string; to: string; lines: string[] }[] }[];
  listed: string[];
  /** third-party captures: "capture 1: captured by the Internet Archive on …, fetched by xjwatch on …" */
  thirdParty?: string[];
  /** what the Internet Archive's Save Page Now made of the address, when asked */
  wayback?: string;
}

export interface ReportModel {
  madeAt: string;
  software: string;
  pages: ReportPage[];
  stamps: string[];
  custodyHead: string;
}

const VERDICT_CLASS: Record<string, string> = { 'gone-hard': 'gone', 'gone-soft': 'gone', 'redirected-home': 'gone', 'present-altered': 'altered', 'present-unchanged': 'live', blocked: 'unknown', unreachable: 'unknown' };

function diffHtml(parts: DiffPart[]): string {
  return parts.map((p) => (p.type === 'added' ? `<ins>${esc(p.text)}</ins>` : p.type === 'removed' ? `<del>${esc(p.text)}</del>` : esc(p.text))).join('');
}

/** An attachment that changed: each change as reported, row by row for a spreadsheet. */
function attachmentChanges(a: ReportPage['attachments'][number]): string {
  if (!a.changes?.length) return '';
  const each = a.changes.map((c) => `<li>reported ${esc(c.at)}: <code class="hash">${esc(c.from)}</code> → <code class="hash">${esc(c.to)}</code><ul lang="zh">${c.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul></li>`);
  return `<br>captured ${a.captures ?? 1} times; changed:<ul>${each.join('')}</ul>`;
}

function pageSection(p: ReportPage): string {
  const v = p.verdict;
  return `
<section id="page-${p.n}">
  <h2>${p.n}. <span lang="zh">${esc(p.title ?? '(no title)')}</span></h2>
  <p class="verdict ${VERDICT_CLASS[v.name] ?? ''}"><b>Verdict: ${esc(v.headline)}</b> <span class="tag">${esc(v.name)}</span></p>
  <table class="facts">
    <tr><th>Address</th><td><code>${esc(p.url)}</code> <span class="note">(not a link: open it yourself if you choose)</span></td></tr>
    <tr><th>Site</th><td lang="zh">${esc(p.site)}</td></tr>
    <tr><th>Title (original)</th><td lang="zh">${esc(p.title ?? '')}</td></tr>
    <tr><th>Published (as the page says)</th><td>${esc(p.published ?? 'not stated')}</td></tr>
    <tr><th>Last seen live</th><td>${esc(v.lastLiveAt ?? 'never')}</td></tr>
    <tr><th>Last checked</th><td>${esc(v.lastCheckAt ?? 'not checked since captured')}</td></tr>
    ${p.thirdParty?.length ? `<tr><th>Third-party capture</th><td>${p.thirdParty.map(esc).join('<br>')}<br><span class="note">not xjwatch's own capture: these bytes are the archive's copy, fetched from it (the exchange is in evidence.warc.gz)</span></td></tr>` : ''}
    ${p.wayback ? `<tr><th>Independent capture</th><td>${esc(p.wayback)}</td></tr>` : ''}
    ${p.listed.length ? `<tr><th>Listed on</th><td>${p.listed.map(esc).join('<br>')}</td></tr>` : ''}
  </table>
  <h3>What this shows</h3>
  <div class="two"><div><h4>A reader can conclude</h4><ul>${v.canConclude.map((s) => `<li>${esc(s)}</li>`).join('')}</ul></div>
  <div><h4>A reader cannot conclude</h4><ul>${v.cannotConclude.map((s) => `<li>${esc(s)}</li>`).join('')}</ul></div></div>
  ${
    p.hits.length
      ? `<h3>Tracked terms in the page and its attachments</h3><table><tr><th>Term (original)</th><th>English</th><th>Times</th><th>In context (original)</th><th>Where in the attachments</th></tr>${p.hits
          .map((h) => `<tr><td lang="zh">${esc(h.term)}</td><td>${esc(h.gloss ?? '')}</td><td>${h.count}</td><td lang="zh">${esc(h.snippet)}</td><td lang="zh">${(h.places ?? []).map(esc).join('<br>')}</td></tr>`)
          .join('')}</table>`
      : ''
  }
  <h3>Timeline of every capture and check</h3>
  <table class="timeline"><tr><th>Time (UTC)</th><th>What</th><th>HTTP</th><th>Server IP</th><th>Result</th><th>SHA-256 of the body</th></tr>
  ${p.timeline
    .map(
      (r) =>
        `<tr><td>${esc(r.at)}</td><td>${esc(r.what)}</td><td>${esc(r.status)}</td><td>${esc(r.ip)}</td><td>${esc(r.result)}${r.controls ? `<div class="controls">${esc(r.controls)}</div>` : ''}</td><td><code class="hash">${esc(r.sha256)}</code>${r.warc ? `<div class="note">${esc(r.warc)}</div>` : ''}</td></tr>`,
    )
    .join('')}</table>
  ${
    p.diff
      ? `<h3>What changed (${esc(p.diff.from)} → ${esc(p.diff.to)})</h3><p class="note">Removed text is struck through, added text underlined; the original Chinese.</p><div class="text diff" lang="zh">${diffHtml(p.diff.parts)}</div>`
      : ''
  }
  <h3>The text as last captured (original)</h3>
  <div class="text" lang="zh">${esc(p.excerpt)}</div>
  ${
    p.pictures.length
      ? `<h3>As a reader saw it</h3>${p.pictures
          .map((pic) => `<figure><figcaption>${esc(pic.label)}${pic.pdf ? ` — PDF print: <code>${esc(pic.pdf)}</code>` : ''}${pic.note ? ` — ${esc(pic.note)}` : ''}</figcaption>${pic.png ? `<img src="${esc(pic.png)}" alt="${esc(pic.label)}">` : ''}</figure>`)
          .join('')}`
      : '<p class="note">No screenshot was kept for this page (enable <code>screenshots: true</code> in its site file).</p>'
  }
  ${p.attachments.length ? `<h3>Attachments</h3><ul>${p.attachments.map((a) => `<li lang="zh">${esc(a.name)} — <code>${esc(a.url)}</code>${a.path ? ` — kept as <code>${esc(a.path)}</code>` : ' — not captured'}${a.sha256 ? ` <code class="hash">sha256:${esc(a.sha256)}</code>` : ''}${attachmentChanges(a)}</li>`).join('')}</ul>` : ''}
  <h3>Files of this page in the bundle</h3>
  <ul>${p.files.map((f) => `<li>${esc(f.label)}: <code>${esc(f.path)}</code></li>`).join('')}</ul>
</section>`;
}

/** The human report: self-contained, no remote assets, every page-derived string escaped. */
export function renderReport(m: ReportModel): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Evidence report — ${esc(m.pages.map((p) => p.title ?? p.url).join('; '))}</title>
<style>
body{font-family:"Noto Sans","Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.5}
h1{font-size:1.5rem}h2{border-top:2px solid #333;padding-top:1rem;margin-top:2.5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top;text-align:left;font-size:.92rem}
th{background:#f3f3f3}.facts th{width:14rem}code{font-size:.85em;word-break:break-all}.hash{font-size:.75em}
.verdict{padding:.6rem .8rem;border-left:6px solid #888;background:#f7f7f7}.verdict.gone{border-color:#b00020}.verdict.altered{border-color:#b36b00}.verdict.live{border-color:#2e7d32}
.tag{font-family:monospace;background:#eee;padding:0 .3rem;margin-left:.5rem}
.note{color:#555;font-size:.85rem}.controls{color:#444;font-size:.8rem;margin-top:.2rem}
.text{white-space:pre-wrap;border:1px solid #ddd;background:#fcfcfc;padding:.6rem;max-height:40rem;overflow:auto}
ins{background:#d4f7d4;text-decoration:underline}del{background:#fbd5d5}
.two{display:flex;gap:1.5rem}.two>div{flex:1}
figure{margin:1rem 0}img{max-width:100%;border:1px solid #ccc}
</style></head><body>
<h1>Evidence report</h1>
<p>Made ${esc(m.madeAt)} by ${esc(m.software)}. Every file named here is in this folder; <code>manifest.json</code> and <code>SHA256SUMS</code> give the SHA-256 of each, and <code>VERIFY.md</code> gives the commands to check them with standard tools (<code>sha256sum</code>, <code>openssl ts</code>, any WARC reader) without this software.</p>
<p><b>Time-stamps:</b> ${m.stamps.length ? `RFC 3161 time-stamps over <code>manifest.json</code> were requested from ${m.stamps.map((s) => `<code>${esc(s)}</code>`).join(', ')} once this report was written; <code>timestamps/README.txt</code> says which were granted and when, and VERIFY.md step 2 checks them.` : 'no time-stamp authority was configured when the bundle was made; <code>xjwatch stamp</code> can add time-stamps later, and <code>timestamps/</code> then holds them.'}</p>
<p class="note">Custody log head at the time of the bundle: <code>${esc(m.custodyHead)}</code> (the store's hash-linked log of every capture and check).</p>
<table><tr><th>#</th><th>Page</th><th>Verdict</th></tr>${m.pages.map((p) => `<tr><td><a href="#page-${p.n}">${p.n}</a></td><td lang="zh">${esc(p.title ?? '')}<br><code>${esc(p.url)}</code></td><td>${esc(p.verdict.headline)}</td></tr>`).join('')}</table>
${m.pages.map(pageSection).join('\n')}
<h2>How the checks work</h2>
<p>Each check fetches the page's own address and, at the same moment, three controls: the site's home page (is the site up?), another posting of the site (does it serve content to this crawler?), and a made-up address shaped like the site's postings (what does the site's own "not found" look like?). A page is called deleted only when it answers "gone" (404/410, the site's not-found page served with 200, or a redirect to the home page) on consecutive checks while the controls are healthy. Outages and blocks are recorded but never counted as deletions. The raw answers, controls included, are the WARC records in <code>evidence.warc.gz</code>, copied byte for byte from the store in which they were written at the time.</p>
</body></html>
`;
}
