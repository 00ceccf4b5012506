import { resolve } from 'node:path';
import { loadSettings, type TsaSetting } from '../../config/settings.js';
import { prove } from '../../evidence/prove.js';
import { shellQuote } from '../../text/shell-quote.js';
import { waybackOptions } from '../../evidence/wayback.js';
import { openDb } from '../../store/db.js';
import { existingDataDir, out, printJson, safe, type CommonOptions } from '../common.js';
import { loadTerms } from '../term-option.js';
import { bold, dim, green, red, yellow } from '../format.js';

export interface ProveOptions extends CommonOptions {
  out: string;
  config?: string;
  terms?: string;
  /** time-stamp authorities to use instead of the settings' (the demo's local one) */
  tsas?: TsaSetting[];
  wayback?: boolean;
}

/** `xjwatch prove <URL>... --out DIR`: an evidence bundle a third party checks without xjwatch. */
export async function proveCommand(urls: string[], opts: ProveOptions): Promise<number> {
  const dataDir = existingDataDir(opts);
  const settings = loadSettings(dataDir, opts.config);
  const { terms } = loadTerms(opts.terms);
  const db = openDb(dataDir);
  try {
    const r = await prove({ dataDir, db, urls, out: resolve(opts.out), terms, tsas: opts.tsas ?? settings.timestamps, ...(opts.wayback || settings.wayback ? { wayback: waybackOptions() } : {}) });
    const stamped = r.stamps.filter((s) => s.ok);
    if (opts.json) {
      printJson({ bundle: r.dir, zip: r.zip, files: r.files, pages: r.pages.map((p) => ({ url: p.url, verdict: p.verdict.name, headline: p.verdict.headline })), timestamps: r.stamps, kept: r.kept, ...(r.wayback.length ? { wayback: r.wayback } : {}) });
      return 0;
    }
    out(bold(`Evidence bundle: ${r.dir}`) + dim(`  (${r.files} files; also ${r.zip})`));
    for (const p of r.pages) {
      const mark = p.verdict.deleted ? red('DELETED') : p.verdict.name.startsWith('present') ? green('LIVE') : yellow(p.verdict.name.toUpperCase());
      out(`  ${mark}  ${safe(p.url)}`);
      out(`         ${safe(p.verdict.headline)}`);
    }
    if (stamped.length) for (const s of stamped) out(`  time-stamped by ${safe(s.tsa)} at ${s.gen_time}${s.root === 'missing' ? yellow(' (no root certificate: see timestamps/README.txt)') : ''}`);
    else if (!r.stamps.length) out(yellow('  not time-stamped: no time-stamp authority is configured (settings.yaml `timestamps:` or XJWATCH_TSA_URLS); add one later with `xjwatch stamp`'));
    for (const s of r.stamps.filter((x) => !x.ok)) out(yellow(`  time-stamp authority ${safe(s.tsa)} failed: ${safe(s.problem ?? '')}`));
    if (r.stamps.length && !stamped.length) out(yellow(`  not time-stamped: the bundle is complete otherwise; retry with \`xjwatch stamp ${shellQuote(r.dir)}\``));
    for (const w of r.wayback) out(w.status === 'success' ? `  Internet Archive: ${safe(w.capture ?? '')}` : yellow(`  Internet Archive ${w.status}: ${safe(w.problem ?? '')}`));
    if ('problem' in r.kept) out(yellow(`  the bundle is whole, but its .zip could not be kept in the catalogue: ${safe(r.kept.problem)}`));
    else out(`  kept in the catalogue as bundle #${r.kept.id}: its .zip is blob sha256:${r.kept.sha256}; \`xjwatch history <URL>\` lists it`);
    out(dim(`  check it as a third party would: cd ${shellQuote(r.dir)} && sha256sum -c SHA256SUMS   (VERIFY.md has the rest); open report.html`));
    return 0;
  } finally {
    db.close();
  }
}
