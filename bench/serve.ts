import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, mb } from './harness.js';

const POSTINGS = Number(process.env.XJ_BENCH_POSTINGS ?? 100_000);
const SITES = 20;
const REQUESTS = Number(process.env.XJ_BENCH_REQUESTS ?? 40);

const TERMS = ['教培中心', '卫星工厂', '扶贫车间', '教转人员', '职业技能教育培训中心', '转移就业'];
// tracked forms of two characters: one in every sixth title, one in no text at all
const SHORT_FORMS = ['教培', '维稳'];
let backfillSeconds = 0;
const FILLER = '根据县人民政府工作安排，各乡镇要进一步做好农村富余劳动力转移就业工作，落实各项政策措施，确保工作取得实效。';

/**
 * A catalogue as a team's looks after years of watching: POSTINGS postings over SITES sites, each
 * with a capture, its text in the full-text index, a new_posting event with its terms, and a tenth
 * of them changed once. Written through the store's own schema (openDb: migrations, custody
 * triggers), in one transaction; rows made directly, since a crawl of 100,000 pages would take hours.
 */
async function makeCatalogue(dir: string): Promise<void> {
  const { openDb } = await import('../src/store/db.js');
  const { normalizeText } = await import('../src/terms/normalize.js');
  const db = openDb(dir);
  const run = db.prepare(`INSERT INTO runs (started_at, finished_at, command, status) VALUES (?, ?, 'crawl', 'ok')`).run('2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z').lastInsertRowid;
  const site = db.prepare(`INSERT INTO sites (id, name, home, source, first_run_id, last_run_id) VALUES (?, ?, ?, 'bench', ?, ?)`);
  const page = db.prepare(`INSERT INTO pages (url, site_id, kind, first_seen_at, last_seen_at, title, published) VALUES (?, ?, 'posting', ?, ?, ?, ?)`);
  const fetch = db.prepare(`INSERT INTO fetches (run_id, exchange_id, site_id, purpose, url, method, at, status, body_sha256, body_size, warc_file, warc_offset, warc_length) VALUES (?, ?, ?, 'posting', ?, 'GET', ?, 200, ?, 1000, 'warc/x.warc.gz', 0, 1)`);
  const capture = db.prepare(`INSERT INTO captures (page_id, fetch_id, run_id, at, final_url, status, body_sha256, body_size, content_type, title, published, text) VALUES (?, ?, ?, ?, ?, 200, ?, 1000, 'text/html', ?, ?, ?)`);
  const setLast = db.prepare(`UPDATE pages SET last_capture_id = ? WHERE id = ?`);
  const text = db.prepare(`INSERT INTO texts (rowid, title, body) VALUES (?, ?, ?)`);
  const event = db.prepare(`INSERT INTO events (run_id, kind, site_id, page_id, url, at, capture_id, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  db.transaction(() => {
    for (let s = 0; s < SITES; s++) site.run(`site${s}`, `某县人民政府${s}`, `http://site${s}.example.gov.cn/`, run, run);
    for (let i = 0; i < POSTINGS; i++) {
      const s = `site${i % SITES}`;
      const url = `http://${s}.example.gov.cn/info/1103/${i}.htm`;
      const day = new Date(Date.UTC(2017, 0, 1) + (i % 3000) * 86_400_000).toISOString();
      const term = TERMS[i % TERMS.length]!;
      const title = `关于${term}建设情况的通知（第${i}号）`;
      const body = `${FILLER}${i % 7 === 0 ? `本批次${term}结业学员统一输送。` : ''}${FILLER}`;
      const at = day.replace('T00:00:00.000Z', 'T08:00:00.000Z');
      const pid = Number(page.run(url, s, at, at, title, day.slice(0, 10)).lastInsertRowid);
      const sha = i.toString(16).padStart(64, '0');
      const fid = Number(fetch.run(run, `ex-${i}`, s, url, at, sha).lastInsertRowid);
      const cid = Number(capture.run(pid, fid, run, at, url, sha, title, day.slice(0, 10), body).lastInsertRowid);
      setLast.run(cid, pid);
      text.run(cid, normalizeText(title), normalizeText(body));
      const ev = { kind: 'new_posting', site: s, url, title, published: day.slice(0, 10), terms: [{ term, count: 1, snippet: body.slice(0, 60) }], attachments: i % 5 === 0 ? [{ url: `${url}.xls`, name: '名单.xls' }] : [], capture: `sha256:${sha}`, at };
      event.run(run, 'new_posting', s, pid, url, at, cid, JSON.stringify(ev));
      if (i % 10 === 0) {
        const ch = { kind: 'changed', site: s, url, title, added: ['增设卫星工厂两座'], removed: [], terms_appeared: [], terms_vanished: [], terms: [{ term, count: 1, snippet: '' }], capture: `sha256:${sha}`, previous_capture: `sha256:${sha}`, previous_at: at, at };
        event.run(run, 'changed', s, pid, url, at, cid, JSON.stringify(ch));
      }
    }
  })();
  // the tracked short forms indexed as a run's start does (a scan of every text for each)
  const { indexShortForms } = await import('../src/store/short-forms.js');
  const t = performance.now();
  indexShortForms(db, SHORT_FORMS);
  backfillSeconds = (performance.now() - t) / 1000;
  // PostgreSQL (XJWATCH_DATABASE_URL set): statistics as autovacuum would soon have them, so the
  // figures are a settled catalogue's, not the planner's guesses just after a bulk load
  if (process.env.XJWATCH_DATABASE_URL) db.exec('VACUUM ANALYZE');
  db.close();
}

/** Milliseconds of each of `n` sequential GETs of a path (the server is warmed by one first). */
async function times(base: string, path: string, n: number): Promise<number[]> {
  const out: number[] = [];
  await (await fetch(base + path)).arrayBuffer();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(base + path);
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}`);
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

/**
 * bench/serve: the view's timeline and search pages (and the JSON API's) over a catalogue of
 * 100,000 postings, through `xjwatch serve` as a user starts it: p50 and p95 of sequential
 * requests, and the server's peak RSS. The baseline, in the same run, is the same server answering
 * its own stylesheet (a response that reads nothing): each page's ratio to it is what reading the
 * catalogue and rendering cost. Aim: p95 under 200 ms for the timeline and search.
 */
export async function benchServe(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'xjwatch-bench-serve-'));
  try {
    const t0 = performance.now();
    await makeCatalogue(dir);
    console.log(`serve: a catalogue of ${POSTINGS} postings over ${SITES} sites made in ${((performance.now() - t0) / 1000).toFixed(0)} s; ${SHORT_FORMS.join(' and ')} indexed over its texts in ${backfillSeconds.toFixed(2)} s`);
    const child = spawn(process.execPath, [join(DIST, '..', 'bin/xjwatch.js'), 'serve', '--port', '0', '--data-dir', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    const base = await new Promise<string>((resolve, reject) => {
      let err = '';
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /at (http:\/\/\S+?)\/?;/.exec(err);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`serve stopped: ${err}`)));
    });
    try {
      const q = (s: string) => encodeURIComponent(s);
      const routes: [string, string][] = [
        ['baseline (the stylesheet)', '/assets/style.css'],
        ['timeline, first page', '/timeline'],
        ['timeline, page 100 (keyset)', `/timeline?before=${Math.floor(POSTINGS * 1.1) - 5000}`],
        ['timeline by site', '/timeline?site=site3'],
        ['timeline by term', `/timeline?term=${q('卫星工厂')}`],
        ['timeline by kind, attachments only', '/timeline?kind=new_posting&attachment=1'],
        ['search, 4 characters (trigram index)', `/search?q=${q('卫星工厂')}`],
        ['search, 2 characters (short-form index)', `/search?q=${q('教培')}`],
        ['search, 2 characters in no text (short-form index)', `/search?q=${q('维稳')}`],
        ['search, 2 characters untracked, in no text (scan)', `/search?q=${q('维权')}`],
        ['search, page 3', `/search?q=${q('扶贫车间')}&page=3`],
        ['api events by term', `/api/v1/events?term=${q('教转人员')}`],
        ['overview', '/'],
      ];
      const figures: Record<string, number> = { postings: POSTINGS, short_form_backfill_s: Math.round(backfillSeconds * 100) / 100 };
      let floor = 0;
      for (const [label, path] of routes) {
        const xs = await times(base, path, REQUESTS);
        const key = label.replace(/\W+/g, '_').replace(/^_|_$/g, '').toLowerCase();
        const [p50, p95] = [pct(xs, 50), pct(xs, 95)];
        if (!floor) floor = p95;
        figures[`${key}_p50_ms`] = Math.round(p50 * 10) / 10;
        figures[`${key}_p95_ms`] = Math.round(p95 * 10) / 10;
        figures[`${key}_p95_vs_baseline`] = Math.round((p95 / floor) * 10) / 10;
        console.log(`  ${label}: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (${(p95 / floor).toFixed(1)}× the baseline)  ${path}`);
      }
      const hwm = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
      figures.peak_rss_mb = mb(hwm);
      console.log(`  the server's peak RSS: ${mb(hwm)} MB`);
      return figures;
    } finally {
      child.kill('SIGTERM');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
