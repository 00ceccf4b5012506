import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFixtureSites } from '../../../test/fixtures/sites/server.js';
import { openDb } from '../../store/db.js';
import type { XjEvent } from '../../detect/events.js';
import { err, out, safe, type CommonOptions } from '../common.js';
import { bold, dim, green, printEventHuman } from '../format.js';
import { crawlCommand } from './crawl.js';
import { diffCommand } from './diff.js';
import { proveCommand } from './prove.js';
import { shellQuote } from '../../evidence/shell-quote.js';
import { startLocalTsa, type LocalTsa } from '../../../test/fixtures/tsa.js';

export interface DemoOptions extends CommonOptions {
  keepServing?: boolean;
}

/**
 * The offline tour: starts the bundled imitation government sites on 127.0.0.1, crawls them
 * into a data directory of its own, and shows what was found and where it is kept.
 */
export async function demoCommand(opts: DemoOptions): Promise<number> {
  const dataDir = resolve(opts.dataDir ?? mkdtempSync(join(tmpdir(), 'xjwatch-demo-')));
  const fixtures = await startFixtureSites({ challenges: true });
  try {
    // pictures of the first crawl's 127 hits would take a minute; the changes below get theirs
    const files = fixtures.writeSiteFiles(join(dataDir, 'sites'), { screenshots: true });
    err(bold('xjwatch demo') + dim(' — imitation government sites on 127.0.0.1, nothing leaves this machine'));
    for (const [key, site] of Object.entries(fixtures.sites)) err(dim(`  ${key.padEnd(11)} ${site.title}  ${site.listUrl()}`));
    err('');
    let shown = 0;
    const showEvent = (e: XjEvent) => {
      if (e.kind === 'new_posting') {
        if (shown++ >= 12) return;
        const terms = e.terms.map((t) => `${t.term}×${t.count}`).join(' ');
        out(`${green('NEW')} ${e.site.padEnd(10)} ${e.published ?? '          '}  ${safe(e.title)}  ${dim(terms)}`);
      } else printEventHuman(e);
    };
    // jiasule is the same story as ruishu: one challenged site is enough for the tour
    const targets = Object.entries(files).filter(([key]) => key !== 'jiasule').map(([, f]) => f);
    err(bold('1. First crawl: every posting that mentions a tracked term'));
    err(dim('   (one site hides behind a 412 JavaScript challenge, passed in Chromium; one builds its list by script; one is a wall no browser passes)'));
    await crawlCommand(targets, { dataDir, json: opts.json, showEvent, screenshots: false });

    // what the researchers watch for: pages edited and pages taken down after they are cited
    const county = fixtures.sites.county;
    const [edited, removed, softRemoved, moved] = county.postings.filter((p) => p.terms.length > 0);
    county.edit(edited!.id, (p) => p.paragraphs.push('经研究，增设卫星工厂两座，统一输送结业学员。'));
    county.delete(removed!.id, '404');
    county.delete(softRemoved!.id, 'soft-phrase');
    county.delete(moved!.id, 'redirect-home');
    fixtures.sites.regional.down = { status: 503 };
    err('');
    err(bold('2. The sites change: one posting edited, three taken down (404, a "页面不存在" page, a redirect home), one site down with 503'));
    // from here on a researcher is mailed; the demo writes the mails as .eml files instead of sending
    const mail = { mailTo: 'researcher@example.org', mailDir: join(dataDir, 'mail') };
    await crawlCommand(targets, { dataDir, json: opts.json, showEvent, ...mail });
    err('');
    err(bold('3. The next pass: the deletions are confirmed; the site that was down is back'));
    fixtures.sites.regional.down = undefined;
    await crawlCommand(targets, { dataDir, json: opts.json, showEvent, ...mail });
    if (opts.json) return 0;
    // the proof, time-stamped by a local authority (OpenSSL's `ts -reply`; real ones are configured)
    out('');
    out(bold('4. The proof: an evidence bundle for the page taken down with a 404'));
    let tsa: LocalTsa | undefined;
    try {
      tsa = await startLocalTsa('xjwatch demo TSA');
    } catch {
      out(dim('   (no openssl here: the bundle is made without a time-stamp)'));
    }
    const bundle = join(dataDir, 'evidence', `deleted-${removed!.id}`);
    try {
      await proveCommand([county.postingUrl(removed!)], { dataDir, out: bundle, tsas: tsa ? [{ url: tsa.url }] : [] });
    } finally {
      await tsa?.close();
    }
    out('');
    out(bold('The edit, word by word'));
    diffCommand(county.postingUrl(edited!), { dataDir });

    const db = openDb(dataDir);
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const postings = count(`SELECT count(*) AS n FROM pages WHERE kind = 'posting'`);
    const attachments = count(`SELECT count(*) AS n FROM pages WHERE kind = 'attachment'`);
    const events = count(`SELECT count(*) AS n FROM events WHERE kind = 'new_posting'`);
    const fetches = count(`SELECT count(*) AS n FROM fetches`);
    db.close();
    const cli = `npx xjwatch`;
    out('');
    out(bold('What happened'));
    out(`  ${postings} postings and ${attachments} attachments captured; ${events} mention tracked terms${events > 12 ? ` (12 shown above; all with \`events\`)` : ''}.`);
    out(`  An edit, three deletions (each confirmed on a second check with healthy controls), an outage`);
    out(`  reported once for the site and never as deletions, a challenge passed once in Chromium (its cookies`);
    out(`  then reused over HTTP) and a wall reported as challenge_failed. Screenshots and PDF prints of the`);
    out(`  changed and deleted pages are kept with them. The 404 deletion is proved by a bundle a sceptic can`);
    out(`  check without xjwatch (its VERIFY.md: sha256sum -c, openssl ts -verify, any WARC reader). A researcher`);
    out(`  was mailed each change and deletion (written as .eml files here; XJWATCH_SMTP_URL sends them).`);
    out(`  Every one of the ${fetches} HTTP exchanges is kept as WARC 1.1 records, bodies under their SHA-256.`);
    out('');
    out(bold('Where it is kept'));
    out(`  ${dataDir}/xjwatch.db       catalogue (SQLite)`);
    out(`  ${dataDir}/blobs/sha256/    every body as received, by SHA-256`);
    out(`  ${dataDir}/warc/            WARC files, one per run`);
    out(`  ${bundle}   the evidence bundle (and .zip beside it)`);
    out(`  ${join(dataDir, 'mail')}/              the alert mails of steps 2 and 3, as .eml files (open them in any mail client)`);
    out('');
    out(bold('Try next'));
    out(`  ${cli} search 卫星工厂 --data-dir ${shellQuote(dataDir)}`);
    out(`  ${cli} events --kind new_posting --data-dir ${shellQuote(dataDir)} --json`);
    out(`  ${cli} history ${county.postingUrl(removed!)} --data-dir ${shellQuote(dataDir)}`);
    out(`  ${cli} diff ${county.postingUrl(edited!)} --data-dir ${shellQuote(dataDir)}`);
    out(`  ${cli} verify ${bundle}        (then change a byte in it and run it again)`);
    out(`  ${cli} prove ${county.postingUrl(softRemoved!)} --out /tmp/proof --data-dir ${shellQuote(dataDir)}`);
    if (!opts.keepServing) out(dim(`  (add --keep-serving to keep the imitation sites up and crawl them again: ${cli} crawl county --data-dir ${shellQuote(dataDir)})`));
    if (opts.keepServing) {
      out('');
      out(`The imitation sites stay up until Ctrl-C; their site files are in ${join(dataDir, 'sites')}.`);
      await new Promise<void>((r) => process.once('SIGINT', () => r()));
    }
    // the demo shows failures (the wall, the outage) on purpose: it succeeded if it got here
    return 0;
  } finally {
    await fixtures.close();
  }
}
