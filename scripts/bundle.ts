// Bundles the CLI that bin/xjwatch.js runs into dist/bundle/, from tsc's output (dist/src/), with
// esbuild. Why: every xjwatch process used to load about 900 modules one file at a time (540 of
// them CommonJS, each resolved, read, scanned and compiled on its own), which was more than half
// of a one-site crawl's CPU. A command's code in a few files loads in a third of that time. Lazy
// parts stay lazy (code splitting: a command, the browser path, team storage are chunks loaded when
// used). `npm run build` runs this after tsc; like tsc, it prints nothing unless something is wrong.
//   node dist/scripts/bundle.js
import { build, type Plugin } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/version.js';

const DIST = join(PACKAGE_ROOT, 'dist');
const OUT = join(DIST, 'bundle');

// The modules that run in a thread or process of their own (src/entries.ts), and the CLI itself.
const ENTRIES = {
  main: 'src/cli/main.js',
  'watch-worker': 'src/cli/watch-worker.js',
  'bridge-worker': 'src/store/pg/bridge-worker.js',
  's3-worker': 'src/store/objects/s3-worker.js',
  'reader-process': 'src/extract/document-text/reader-process.js',
};

// Left to node_modules, loaded from there as before: what reads its own files beside its code
// (__dirname means nothing in a bundle). That is a native addon; Playwright, and Crawlee's browser
// path with its fingerprint data and browser-pool (which bring their own copy of Crawlee:
// fetch/browser.ts takes the configuration and log from it); the attachment readers' workers,
// fonts and tables; graphile-worker's SQL migrations; synckit's worker preload; the web server's
// plugins and logger; got-scraping's header data (never loaded: fetch/recording-crawler.ts); and
// optional peers that are never installed. Each is loaded only by the command that needs it.
const EXTERNAL = [
  'better-sqlite3',
  'playwright-core',
  'playwright',
  'puppeteer',
  '@crawlee/playwright',
  'pdfjs-dist',
  '@e965/xlsx',
  'word-extractor',
  'rtf-stream-parser',
  'graphile-worker',
  'synckit',
  'fastify',
  '@fastify/*',
  'got-scraping',
  'pg-native',
];

/**
 * Crawlee gives every request queue a dedup cache of a million slots; fetch/dedup-cache.ts makes
 * it small from the start by replacing the class in the module Crawlee looks it up in. In the
 * bundle that module is the bundle's own copy, so the replacement is made as the copy is loaded.
 * The build fails if Crawlee no longer has the module, rather than letting every queue grow.
 */
function sizedDedupCache(): Plugin {
  const filter = /@crawlee[\\/]core[\\/]storages[\\/]request_dedup_cache\.js$/;
  return {
    name: 'xjwatch-dedup-cache',
    setup(b) {
      let seen = false;
      b.onLoad({ filter }, (args) => {
        seen = true;
        const hook = JSON.stringify(join(DIST, 'src', 'fetch', 'dedup-cache.js'));
        return { contents: `${readFileSync(args.path, 'utf8')}\nrequire(${hook}).sizeDedupCaches(exports);\n`, loader: 'js' };
      });
      b.onEnd((r) => {
        if (!r.errors.length && !seen) throw new Error('@crawlee/core/storages/request_dedup_cache.js was not bundled: see fetch/dedup-cache.ts');
      });
    },
  };
}

rmSync(OUT, { recursive: true, force: true });
const result = await build({
  absWorkingDir: DIST,
  entryPoints: ENTRIES,
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Crawlee finds its storage clients by their classes' names
  keepNames: true,
  sourcemap: true,
  external: EXTERNAL,
  define: { __XJWATCH_BUNDLE__: 'true' },
  // CommonJS packages inside an ES module still call require() for Node's own modules
  banner: { js: "import { createRequire as __xjwatchCreateRequire } from 'node:module';\nconst require = __xjwatchCreateRequire(import.meta.url);" },
  plugins: [sizedDedupCache()],
  logLevel: 'warning',
  metafile: true,
});
// what went into which chunk, for esbuild's analyser: XJWATCH_BUNDLE_META=meta.json npm run build
if (process.env.XJWATCH_BUNDLE_META) writeFileSync(process.env.XJWATCH_BUNDLE_META, JSON.stringify(result.metafile));
