import { openDb } from '../../store/db.js';
import { bundlesOfUrl } from '../../store/bundle-records.js';
import { attachmentsOf, history, hitsWithPlaces, renderingsOf, requisitesFor, type AttachmentOf } from '../../store/queries.js';
import { existingDataDir, out, printJson, safe, type CommonOptions } from '../common.js';
import { bold, dim, red } from '../format.js';

export function historyCommand(url: string, opts: CommonOptions): number {
  const db = openDb(existingDataDir(opts));
  try {
    const rows = history(db, url);
    const numbers = new Map<number, number>();
    for (const r of rows) if (r.capture_id !== null && !numbers.has(r.capture_id)) numbers.set(r.capture_id, numbers.size + 1);
    if (opts.json) {
      for (const r of rows) {
        printJson({
          type: r.type,
          ...(r.capture_id !== null ? { capture: numbers.get(r.capture_id) } : {}),
          ...(r.check_outcome ? { check: { outcome: r.check_outcome, reason: r.check_reason, detail: r.check_detail, controls: JSON.parse(r.check_controls ?? 'null') } } : {}),
          at: r.at,
          url: r.url,
          ...(r.final_url && r.final_url !== r.url ? { finalUrl: r.final_url } : {}),
          status: r.status,
          sha256: r.sha256,
          size: r.size,
          ip: r.ip,
          via: r.via,
          ...(r.title ? { title: r.title } : {}),
          ...(r.published ? { published: r.published } : {}),
          ...(r.error_kind ? { error: { kind: r.error_kind, message: r.error } } : {}),
          ...(r.archive ? { thirdParty: { archive: r.archive, archivedAt: r.archived_at, archiveUrl: r.archive_url, digest: r.archive_digest } } : {}),
          warc: { file: r.warc_file, offset: r.warc_offset, length: r.warc_length },
        });
      }
      for (const a of attachmentsOf(db, url)) {
        const { problems, terms } = attachmentFindings(db, a);
        printJson({ type: 'attachment', url: a.url, name: a.title, sha256: a.sha256, ...(problems.length ? { problems } : {}), ...(terms.length ? { terms } : {}) });
      }
      for (const q of requisitesFor(db, url)) {
        printJson({ type: 'requisite', of: { capture: numbers.get(q.capture_id) ?? null }, url: q.url, at: q.at, status: q.status, sha256: q.sha256, size: q.size, warc: { file: q.warc_file, offset: q.warc_offset, length: q.warc_length } });
      }
      for (const b of bundlesOfUrl(db, url)) printJson({ type: 'bundle', id: b.id, name: b.name, made_at: b.made_at, host: b.host, zip: { sha256: b.zip_sha256, size: b.zip_size }, files: b.files, urls: b.urls });
      for (const r of renderingsOf(db, url)) {
        printJson({ type: 'rendering', at: r.at, of: r.what === 'capture' ? { capture: numbers.get(r.capture_id!) ?? null } : 'present answer', png: r.png_sha256, pdf: r.pdf_sha256, ...(r.problem ? { problem: r.problem } : {}) });
      }
      return rows.length ? 0 : 1;
    }
    if (!rows.length) {
      out(`nothing captured for ${safe(url)}`);
      return 1;
    }
    out(bold(safe(url)));
    for (const r of rows) {
      const what = r.type === 'capture' ? `capture #${numbers.get(r.capture_id!)}${r.archive ? ' THIRD-PARTY' : ''}` : r.error_kind ? red(`failed ${r.error_kind}`) : r.purpose === 'check' ? 'check  ' : r.purpose === 'prior' ? 'archive' : 'fetch  ';
      out(`  ${r.at}  ${what}  ${r.status ?? '---'}  ${r.sha256 ? `sha256:${r.sha256}` : '-'}  ${r.size ?? 0} B  ${r.ip ?? '-'}${r.via === 'browser' ? dim('  (browser)') : ''}${r.url !== url ? dim(`  (${safe(r.url)})`) : ''}`);
      if (r.archive) out(`      captured by the ${safe(r.archive)} on ${r.archived_at}, fetched by xjwatch on ${r.at} from ${safe(r.archive_url ?? '')}${r.archive_digest ? ` (archive digest ${safe(r.archive_digest)})` : ''}`);
      if (r.title) out(`      ${safe(r.title)}${r.published ? dim(`  published ${r.published}`) : ''}`);
      if (r.error) out(`      ${dim(safe(r.error))}`);
      if (r.check_outcome) {
        const ctl = JSON.parse(r.check_controls ?? '{}') as { healthy?: boolean; home?: string; not_found?: string };
        out(`      check: ${r.check_outcome}${r.check_reason ? ` (${r.check_reason})` : ''}${r.check_detail ? ` — ${safe(r.check_detail)}` : ''}`);
        out(`      ${dim(`controls ${ctl.healthy ? 'healthy' : 'NOT healthy'}: home ${safe(ctl.home ?? '')}; not-found ${safe(ctl.not_found ?? '')}`)}`);
      }
      out(`      ${dim(`${r.warc_file} @${r.warc_offset}+${r.warc_length}`)}`);
    }
    const pics = renderingsOf(db, url);
    if (pics.length) {
      out('  screenshots and PDF prints:');
      for (const r of pics) {
        const of = r.what === 'capture' ? `capture #${numbers.get(r.capture_id!) ?? '?'}` : 'the present answer';
        out(`    ${r.at}  of ${of}: ${r.png_sha256 ? `png sha256:${r.png_sha256}` : '-'}  ${r.pdf_sha256 ? `pdf sha256:${r.pdf_sha256}` : ''}${r.problem ? red(`  ${safe(r.problem)}`) : ''}`);
      }
    }
    const reqs = requisitesFor(db, url);
    if (reqs.length) {
      out('  page requisites (recorded for its pictures, which are replayed from these):');
      for (const q of reqs) {
        out(`    capture #${numbers.get(q.capture_id) ?? '?'}  ${q.status ?? '---'}  ${q.sha256 ? `sha256:${q.sha256}` : '-'}  ${q.size ?? 0} B  ${safe(q.url)}  ${dim(`${q.warc_file} @${q.warc_offset}+${q.warc_length}`)}`);
      }
    }
    const atts = attachmentsOf(db, url);
    if (atts.length) {
      out('  attachments:');
      for (const a of atts) {
        out(`    ${safe(a.title ?? '')}  ${a.sha256 ? `sha256:${a.sha256}` : 'not captured'}  ${dim(safe(a.url))}`);
        const { problems, terms } = attachmentFindings(db, a);
        for (const p of problems) out(`      ${red(safe(p))}`);
        for (const t of terms) out(`      ${bold(t.term)} ×${t.count}${t.places.length ? ` at ${safe(t.places.join(', '))}` : ''}  ${dim(safe(t.snippet))}`);
      }
    }
    const bundles = bundlesOfUrl(db, url);
    if (bundles.length) {
      out('  evidence bundles made of it (`xjwatch serve` offers each .zip):');
      for (const b of bundles) out(`    ${b.made_at}  bundle #${b.id} ${safe(b.name)} on ${safe(b.host)}: ${b.files} files, .zip sha256:${b.zip_sha256}  ${b.zip_size} B${b.urls.length > 1 ? dim(`  (with ${b.urls.length - 1} other page(s))`) : ''}`);
    }
    return 0;
  } finally {
    db.close();
  }
}

/** What reading an attachment found: its problems (an unreadable file says why) and its terms with their places. */
function attachmentFindings(db: Parameters<typeof hitsWithPlaces>[0], a: AttachmentOf): { problems: string[]; terms: ReturnType<typeof hitsWithPlaces> } {
  return { problems: a.problems ? (JSON.parse(a.problems) as string[]) : [], terms: a.capture_id ? hitsWithPlaces(db, a.capture_id) : [] };
}
