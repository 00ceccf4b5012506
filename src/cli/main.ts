import { Command, CommanderError, Option } from 'commander';
import { InputError } from '../config/errors.js';
import { StoreError } from '../store/db-type.js';
import { VERSION } from '../version.js';
import { EXIT_RUNTIME, EXIT_USAGE, err, parsePositiveInt, RuntimeFailure } from './common.js';

type Action = (...args: any[]) => Promise<number> | number; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every command takes --data-dir and --json (the command-line contract; docs/ARCHITECTURE.md). */
function common(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'data directory (default ./snapshots, or $XJWATCH_DATA_DIR)')
    .option('--json', 'machine-readable output: one JSON object per line on stdout');
}

/** Runs that make events can mail them (see the alerts in README.md). */
function mailing(cmd: Command): Command {
  return common(cmd)
    .option('--mail-to <addr>', 'also mail every event of this run to these addresses (comma-separated), at once')
    .option('--mail-dir <dir>', 'write alert mails as .eml files here instead of sending them')
    .option('--config <file>', 'settings file (default settings.yaml in the data directory)')
    .option('--no-wait', 'exit 1 at once when another run is writing the data directory (default: wait for it)');
}

/** Commands load their modules on use, so that `xjwatch search` does not pay for the crawler. */
function lazy<T extends Action>(load: () => Promise<T>) {
  return async (...args: unknown[]) => {
    const fn = await load();
    // commander passes (args..., options, command); drop the command object
    process.exitCode = await fn(...args.slice(0, -1));
  };
}

export function buildProgram(): Command {
  const program = new Command('xjwatch')
    .description('Watch official Chinese government websites: new postings with tracked terms, changes, deletions, evidence.')
    .version(VERSION)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  runCommands(program);
  importCommands(program);
  readCommands(program);
  evidenceCommands(program);
  machineCommands(program);
  return program;
}

/** Commands that fetch: a pass over sites, a recheck of pages. */
function runCommands(program: Command): void {
  mailing(
    program
      .command('crawl')
      .description('one pass: list pages, new postings and their attachments; prints events')
      .argument('<target...>', 'site id, site file (.yaml), watch list (name or file: its pages only) or URL (crawled ad hoc)')
      .option('--terms <file>', 'term file (plain text or YAML; default crawlers/terms.yaml)')
      .option('--follow <regex>', 'ad hoc: postings are the same-site links whose URL matches this')
      .option('--max-pages <n>', 'list pages to follow per list at most', parsePositiveInt('--max-pages', 1))
      .option('--delay <ms>', 'ad hoc: milliseconds between requests to a host (default 1000; 0 on loopback)', parsePositiveInt('--delay'))
      .option('--all-postings', 'report new postings without tracked terms too')
      .addOption(new Option('--recheck <which>', 'recheck known postings for changes and deletions').choices(['all', 'due', 'none']).default('all'))
      .option('--confirm-after <n>', 'call a page deleted after this many checks that failed alike (default 2)', parsePositiveInt('--confirm-after', 1))
      .option('--no-screenshots', 'no screenshots and PDF prints of new postings with hits, changed and deleted pages'),
  ).action(lazy(async () => (await import('./commands/crawl.js')).crawlCommand));

  mailing(
    program
      .command('check')
      .description('recheck pages now (with controls), compare with their last capture, report')
      .argument('<url...>')
      .option('--confirm-after <n>', 'call a page deleted after this many checks that failed alike (default 2)', parsePositiveInt('--confirm-after', 1))
      .option('--terms <file>', 'term file for new captures (default crawlers/terms.yaml)')
      .option('--screenshot', 'also take a screenshot and PDF print of each page: its last capture and what it answers now')
      .option('--prior', "for a page never captured that is already gone: fetch the Internet Archive's earliest good copy (tells the archive which page you look at)"),
  ).action(lazy(async () => (await import('./commands/check.js')).checkCommand));

  mailing(
    program
      .command('watch')
      .description("run until stopped: each site on its own cron schedule (site file's schedule: and timezone:), rechecking what is due, mailing as it goes")
      .argument('[site...]', 'site ids, site files or watch lists (default: every site file in the data directory\'s sites/ and every list in its lists/)')
      .option('--now', 'also run every site once at start')
      .option('--terms <file>', 'term file (default crawlers/terms.yaml)')
      .option('--confirm-after <n>', 'call a page deleted after this many checks that failed alike (default 2)', parsePositiveInt('--confirm-after', 1)),
  ).action(lazy(async () => (await import('./commands/watch.js')).watchCommand));
}

/** Reading a research report's citations into a watch list. */
function importCommands(program: Command): void {
  common(
    program
      .command('import')
      .description('the government pages a report cites (text, PDF, HTML or a URL list), with their footnotes, into a watch list that `crawl <name>` checks and `watch` pins')
      .argument('<report>', 'the report: .txt, .pdf, .html, or a list of URLs one a line (# comments)')
      .option('--name <name>', 'the list\'s name, what `crawl <name>` is typed as (default: from the file name)')
      .option('--title <text>', 'a title for the list (the report\'s author, title, year)')
      .option('--out <file>', 'write the list here (default <data-dir>/lists/<name>.yaml)')
      .option('--hosts <patterns>', 'also keep pages on these hosts (comma-separated: www.ts.cn, *.xjdaily.com.cn, *)')
      .option('--force', 'replace a list of that name'),
  ).action(lazy(async () => (await import('./commands/import.js')).importCommand));
}

/** Commands that read the catalogue and print. */
function readCommands(program: Command): void {
  common(
    program
      .command('diff')
      .description('word-by-word difference between two captures of a URL (default: the last two)')
      .argument('<url>')
      .option('--from <capture>', 'capture number (as `history` numbers them) or SHA-256 prefix')
      .option('--to <capture>', 'capture number or SHA-256 prefix')
      .option('--full', 'the whole text, not only the changed paragraphs'),
  ).action(lazy(async () => (await import('./commands/diff.js')).diffCommand));

  common(
    program
      .command('events')
      .description('events recorded so far, oldest first')
      .option('--since <iso>', 'only events at or after this time')
      .addOption(new Option('--kind <kind>', 'only this kind'))
      .option('--site <id>', 'only this site'),
  ).action(lazy(async () => (await import('./commands/events.js')).eventsCommand));

  common(program.command('history').description('every capture and fetch of a URL, with SHA-256 and WARC location').argument('<url>')).action(
    lazy(async () => (await import('./commands/history.js')).historyCommand),
  );

  common(
    program
      .command('search')
      .description('full-text search over everything captured (postings and attachments)')
      .argument('<text...>')
      .option('--site <id>', 'only this site')
      .option('--limit <n>', 'at most this many results (default 50)', parsePositiveInt('--limit')),
  ).action(lazy(async () => (await import('./commands/search.js')).searchCommand));

  common(
    program
      .command('sites')
      .description('the configured sites (exit 2 if a site file is invalid); --probe: do the live lists still yield postings? (exit 0 all pass, 3 some fail, 1 some unreachable)')
      .argument('[id...]', 'with --probe: site ids or site files (default: every site file)')
      .option('--probe', 'fetch each list\'s first pages and first postings now, as a crawl would, and say per list whether they yield postings, titles, dates and text')
      .option('--no-wait', 'with --probe: exit 1 at once when another run is writing the data directory (default: wait for it)'),
  ).action(lazy(async () => (await import('./commands/sites.js')).sitesCommand));

  common(program.command('terms').description('the tracked terms').option('--terms <file>', 'term file to show (default crawlers/terms.yaml)')).action(
    lazy(async () => (await import('./commands/terms.js')).termsCommand),
  );
}

/** Evidence bundles and the alert outbox. */
function evidenceCommands(program: Command): void {
  common(
    program
      .command('prove')
      .description('evidence bundle for captured pages (deleted, changed or live): WARC, bodies, pictures, report, SHA256SUMS, time-stamps, .zip')
      .argument('<url...>')
      .requiredOption('--out <dir>', 'the bundle folder to make (must not exist); DIR.zip is made beside it')
      .option('--config <file>', 'settings file (default settings.yaml in the data directory)')
      .option('--terms <file>', 'term file for the English glosses (default crawlers/terms.yaml)')
      .option('--wayback', "also ask the Internet Archive's Save Page Now to capture each URL now (off by default)"),
  ).action(lazy(async () => (await import('./commands/prove.js')).proveCommand));

  common(
    program
      .command('verify')
      .description('check a bundle (exit 1 if anything was altered), or with no folder re-hash the whole data directory')
      .argument('[dir]')
      .option('--ca <file>', "root certificate(s), PEM, to check the bundle's time-stamps against instead of the roots it carries"),
  ).action(lazy(async () => (await import('./commands/verify.js')).verifyCommand));

  common(
    program
      .command('stamp')
      .description('add RFC 3161 time-stamps to a bundle made without them (XJWATCH_TSA_URLS or settings.yaml)')
      .argument('<dir>')
      .option('--config <file>', 'settings file (default settings.yaml in the data directory)'),
  ).action(lazy(async () => (await import('./commands/stamp.js')).stampCommand));

  common(
    program
      .command('outbox')
      .description('alert mails: queued, waiting for their digest, sent; --send retries now')
      .option('--send', 'send every queued mail now (and the digests that are due)')
      .option('--flush', 'with --send: send the digests now, before their time')
      .option('--mail-dir <dir>', 'write the mails as .eml files here instead of sending them')
      .option('--config <file>', 'settings file (default settings.yaml in the data directory)')
      .option('--terms <file>', 'term file for the English glosses (default crawlers/terms.yaml)'),
  ).action(lazy(async () => (await import('./commands/outbox.js')).outboxCommand));

  common(
    program
      .command('status')
      .description('per site: last run, next run, pages due, suspicions, trouble; the outbox; the watcher; the disk')
      .option('--config <file>', 'settings file (default settings.yaml in the data directory)'),
  ).action(lazy(async () => (await import('./commands/status.js')).statusCommand));

  common(
    program
      .command('serve')
      .description('the local web view and its JSON API (/api/v1, OpenAPI at /api/v1/openapi.json); loopback only unless XJWATCH_SERVE_TOKEN is set')
      .option('--port <n>', 'port (0: any free one)', parsePositiveInt('--port'), 8080)
      .option('--host <addr>', 'address to bind (beyond loopback needs XJWATCH_SERVE_TOKEN)', '127.0.0.1')
      .option('--config <file>', 'settings file (default settings.yaml in the data directory)')
      .option('--terms <file>', 'term file for glosses and tags (default crawlers/terms.yaml)'),
  ).action(lazy(async () => (await import('./commands/serve.js')).serveCommand));
}

/** The machine and the offline tour. */
function machineCommands(program: Command): void {
  common(
    program
      .command('doctor')
      .description('is this machine ready? Chromium, a CJK font, openssl, SQLite, the data directory, mail and time-stamp settings; exit 1 if something needed is missing')
      .option('--config <file>', 'settings file (default settings.yaml in the data directory)'),
  ).action(lazy(async () => (await import('./commands/doctor.js')).doctorCommand));

  common(
    program
      .command('migrate')
      .description("copy the data directory's catalogue into an empty team PostgreSQL database and verify it there (rolled back unless every custody entry, blob and WARC file checks out)")
      .option('--to <url>', 'the team catalogue, postgres://user@host:port/database (default XJWATCH_DATABASE_URL; a password is better given as PGPASSWORD)')
      .option('--blobs <url>', 'also send blobs, WARC files and pictures to the object store s3://bucket/prefix (default: XJWATCH_BLOBS; keys from the AWS_* variables), and re-hash them there')
  ).action(lazy(async () => (await import('./commands/migrate.js')).migrateCommand));

  common(
    program
      .command('demo')
      .description('offline demonstration: starts the bundled fixture sites and crawls them')
      .option('--keep-serving', 'leave the fixture sites running afterwards (Ctrl-C to stop)'),
  ).action(lazy(async () => (await import('./commands/demo.js')).demoCommand));
}

export async function main(argv: string[]): Promise<void> {
  // `xjwatch … | head`: the reader went away; stop quietly (writes to the store are synchronous
  // and never interrupted half-way by this handler)
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    process.exitCode = exitCodeFor(e);
  }
}

function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return EXIT_USAGE; // commander already printed the message
  }
  if (e instanceof InputError) {
    err(`xjwatch: ${e.message}`);
    return EXIT_USAGE;
  }
  if (e instanceof RuntimeFailure) {
    err(`xjwatch: ${e.message}`);
    return EXIT_RUNTIME;
  }
  // a catalogue that cannot be opened or is too new: the message says what to do, a stack does not
  if (e instanceof StoreError) {
    err(`xjwatch: ${e.message}`);
    return EXIT_RUNTIME;
  }
  err(`xjwatch: ${(e as Error)?.stack ?? String(e)}`);
  return EXIT_RUNTIME;
}
