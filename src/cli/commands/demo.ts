import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFixtureSites, type RunningFixtures } from '../../demo/sites/server.js';
import { startLocalTsa, type LocalTsa } from '../../demo/tsa.js';
import type { XjEvent } from '../../detect/events.js';
import { probeChromium } from '../../fetch/chromium.js';
import { openDb } from '../../store/db.js';
import { lastRunId, tallies } from '../../store/tallies.js';
import { shellQuote } from '../../text/shell-quote.js';
import { err, EXIT_OK, EXIT_RUNTIME, out, safe, type CommonOptions } from '../common.js';
import { demoSummary, type DemoFacts } from '../demo-summary.js';
import { bold, dim, green, printEventHuman, red, yellow } from '../format.js';
import { loadSiteFile } from '../../config/site-file.js';
import { watchStep } from '../demo-watch.js';
import { loadTerms } from '../term-option.js';
import { crawlCommand } from './crawl.js';
import { diffCommand } from './diff.js';
import { proveCommand } from './prove.js';

export interface DemoOptions extends CommonOptions {
  keepServing?: boolean;
}

/** the new postings shown one line each; the rest are in `xjwatch events` */
const SHOWN = 12;
/** small enough for the tour to end in well under a minute and a half on two cores */
const SIZES = { countyPostings: 40, challengedPostings: 30 };

/**
 * The offline tour: starts the bundled imitation government sites on 127.0.0.1, crawls them
 * into a data directory of its own through an edit, three take-downs and an outage, proves one
 * deletion, and says what happened — each sentence from what the run recorded. Exit 1 when a
 * part of the tour could not be shown (no browser, or a happening not recorded).
 */
export async function demoCommand(opts: DemoOptions): Promise<number> {
  const started = Date.now();
  const dataDir = resolve(opts.dataDir ?? mkdtempSync(join(tmpdir(), 'xjwatch-demo-')));
  err(bold('xjwatch demo') + dim(' — imitation government sites on 127.0.0.1, nothing leaves this machine'));
  // the imitation sites' pages are not a team's evidence: the tour keeps its catalogue in its own
  // folder (`xjwatch migrate` can move that into team storage afterwards)
  const team = ['XJWATCH_DATABASE_URL', 'XJWATCH_BLOBS'].filter((k) => process.env[k]?.trim());
  if (team.length) {
    for (const k of team) delete process.env[k];
    err(dim(`${team.join(' and ')} ${team.length > 1 ? 'are' : 'is'} set: the demo keeps its catalogue and files in its own folder, not in team storage.`));
  }
  // the browser first: which parts of the tour can be shown depends on it
  const browser = await probeChromium();
  if (browser.problem) {
    err(red(`The browser cannot start: ${browser.problem}.`));
    err(yellow('Skipping the sites that need it (a 412 challenge, a list built by script, a wall) and every screenshot; the rest of the tour goes on.'));
  }
  const fixtures = await startFixtureSites({ challenges: !browser.problem, ...SIZES });
  try {
    return await tour(fixtures, dataDir, opts, started, browser.problem);
  } finally {
    await fixtures.close();
  }
}

async function tour(fixtures: RunningFixtures, dataDir: string, opts: DemoOptions, started: number, browserProblem: string | undefined): Promise<number> {
  const files = fixtures.writeSiteFiles(join(dataDir, 'sites'), { screenshots: !browserProblem });
  for (const [key, site] of Object.entries(fixtures.sites)) if (site) err(dim(`  ${key.padEnd(11)} ${site.title}  ${site.listUrl()}`));
  err('');
  const before = existsSync(join(dataDir, 'xjwatch.db')) ? withDb(dataDir, lastRunId) : 0;
  const events: XjEvent[] = [];
  let shown = 0;
  const showEvent = (e: XjEvent) => {
    if (e.kind !== 'new_posting') return printEventHuman(e);
    if (shown++ >= SHOWN) return;
    const terms = e.terms.map((t) => `${t.term}×${t.count}`).join(' ');
    out(`${green('NEW')} ${e.site.padEnd(10)} ${e.published ?? '          '}  ${safe(e.title)}  ${dim(terms)}`);
  };
  // jiasule is the same story as ruishu: one challenged site is enough for the tour
  const targets = Object.entries(files)
    .filter(([key]) => key !== 'jiasule')
    .map(([, f]) => f);
  const crawl = (mail?: { mailTo: string; mailDir: string }) => crawlCommand(targets, { dataDir, json: opts.json, showEvent, onEvent: (e) => events.push(e), ...(mail ?? { screenshots: false }) });

  err(bold('1. First crawl: every posting that mentions a tracked term'));
  if (!browserProblem) err(dim('   (one site hides behind a 412 JavaScript challenge, one builds its list by script, one is a wall no browser gets past)'));
  // pictures of the first crawl's hits would take a minute; the changes below get theirs
  await crawl();

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
  await crawl(mail);
  err('');
  err(bold('3. The next pass: the deletions are confirmed; the site that was down is back'));
  fixtures.sites.regional.down = undefined;
  await crawl(mail);
  if (opts.json) return EXIT_OK;

  out('');
  out(bold('4. The proof: an evidence bundle for the page taken down with a 404'));
  const bundleDir = join(dataDir, 'evidence', `deleted-${removed!.id}`);
  const bundle = await proveAndVerify(dataDir, county.postingUrl(removed!), bundleDir);
  out('');
  out(bold('The edit, word by word'));
  diffCommand(county.postingUrl(edited!), { dataDir });

  out('');
  out(bold(`5. Watching: \`xjwatch watch\` over the county site every 3 seconds (time compressed; real schedules are hours), while it posts, edits and takes down`));
  const watch = await watchStep({
    dataDir,
    county,
    site: loadSiteFile(files.county),
    terms: loadTerms(undefined).terms,
    mailDir: mail.mailDir,
    show: (e) => (e.kind === 'new_posting' ? out(`${green('NEW')} ${e.site.padEnd(10)} ${e.published ?? '          '}  ${safe(e.title)}`) : printEventHuman(e)),
    onEvent: (e) => events.push(e),
  });

  const facts: DemoFacts = {
    events,
    tallies: withDb(dataDir, (db) => tallies(db, before)),
    browserProblem,
    challenged: 'ruishu',
    scripted: 'jslist',
    wall: 'wall',
    outage: 'regional',
    bundle,
    watch,
    mails: existsSync(mail.mailDir) ? readdirSync(mail.mailDir).filter((f) => f.endsWith('.eml')).length : 0,
    shown: SHOWN,
    seconds: (Date.now() - started) / 1000,
  };
  const { lines, missed } = demoSummary(facts);
  out('');
  out(bold('What happened'));
  for (const l of lines) out(`  ${safe(l)}`);
  if (missed.length) out(red(`  Not shown: ${missed.join('; ')}.`));
  whereAndNext(dataDir, bundle ? bundleDir : undefined, mail.mailDir, county.postingUrl(removed!), county.postingUrl(edited!), county.postingUrl(softRemoved!), opts.keepServing);
  if (opts.keepServing) {
    out('');
    out(`The imitation sites stay up until Ctrl-C; their site files are in ${join(dataDir, 'sites')}.`);
    await new Promise<void>((r) => process.once('SIGINT', () => r()));
  }
  // the wall and the outage are failures on purpose; what was not shown is the demo's failure
  return missed.length ? EXIT_RUNTIME : EXIT_OK;
}

/** The proof, time-stamped by a local authority (OpenSSL's `ts -reply`), then checked as a reader would. */
async function proveAndVerify(dataDir: string, url: string, dir: string): Promise<DemoFacts['bundle']> {
  let tsa: LocalTsa | undefined;
  try {
    tsa = await startLocalTsa('xjwatch demo TSA');
  } catch {
    out(dim('   (no openssl here: the bundle is made without a time-stamp)'));
  }
  try {
    await proveCommand([url], { dataDir, out: dir, tsas: tsa ? [{ url: tsa.url }] : [] });
  } catch (e) {
    out(red(`   the bundle could not be made: ${(e as Error).message}`));
    return undefined;
  } finally {
    await tsa?.close();
  }
  const { verifyBundle } = await import('../../evidence/bundle-verify.js');
  const v = await verifyBundle(dir, tsa ? { trustedRootsPem: tsa.rootPem } : {});
  return { dir, files: v.files, problems: v.problems.length, stampsOk: v.stamps.filter((s) => s.ok).length, stampProblems: v.stamps.filter((s) => !s.ok).map((s) => s.problem ?? 'not valid') };
}

function whereAndNext(dataDir: string, bundle: string | undefined, mailDir: string, removed: string, edited: string, softRemoved: string, keepServing?: boolean): void {
  const cli = 'npx xjwatch';
  const d = `--data-dir ${shellQuote(dataDir)}`;
  out('');
  out(bold('Where it is kept'));
  out(`  ${dataDir}/xjwatch.db       catalogue (SQLite)`);
  out(`  ${dataDir}/blobs/sha256/    every body as received, by SHA-256`);
  out(`  ${dataDir}/warc/            WARC files, one per run`);
  if (bundle) out(`  ${bundle}   the evidence bundle (and .zip beside it)`);
  if (existsSync(mailDir)) out(`  ${mailDir}/              the alert mails of steps 2, 3 and 5, as .eml files (open them in any mail client)`);
  out('');
  out(bold('Try next'));
  out(`  ${cli} serve ${d}        (the web view, at http://127.0.0.1:8080/)`);
  out(`  ${cli} search 卫星工厂 ${d}`);
  out(`  ${cli} events --kind new_posting ${d} --json`);
  out(`  ${cli} history ${removed} ${d}`);
  out(`  ${cli} diff ${edited} ${d}`);
  if (bundle) out(`  ${cli} verify ${bundle}        (then change a byte in it and run it again)`);
  out(`  ${cli} prove ${softRemoved} --out /tmp/proof ${d}`);
  if (!keepServing) out(dim(`  (add --keep-serving to keep the imitation sites up and crawl them again: ${cli} crawl county ${d})`));
}

function withDb<T>(dataDir: string, fn: (db: ReturnType<typeof openDb>) => T): T {
  const db = openDb(dataDir);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
