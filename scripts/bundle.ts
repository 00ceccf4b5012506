// Bundles the CLI that bin/xjwatch.js runs into dist/bundle/, from tsc's output (dist/src/), with
// esbuild. Why: every xjwatch process used to load about 900 modules one file at a time (540 of
// them CommonJS, each resolved, read, scanned and compiled on its own), which was more than half
// of a one-site crawl's CPU; bundled, that crawl takes 0.64 s of CPU instead of 0.96 s. Lazy parts
// stay lazy (code splitting: a command, the browser path, team storage are chunks loaded when
// used). `npm run build` runs this after tsc; like tsc, it prints nothing unless something is wrong.
//   node dist/scripts/bundle.js
import { build, type Plugin } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
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

// Left to node_modules, loaded from there as before: a native addon; Playwright, which finds its
// own driver and browsers on disk; the attachment readers' workers, fonts and tables (and only in
// the reader process); graphile-worker, whose configuration loader brings all of TypeScript;
// synckit, whose worker preload is found from its own URL; the web server's plugins and logger
// (a long-running process, where start-up counts for little); got-scraping (never loaded:
// fetch/recording-crawler.ts); and optional peers that are never installed.
const EXTERNAL = [
  'better-sqlite3',
  'playwright-core',
  'playwright',
  'puppeteer',
  'idcac-playwright',
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
        return { contents: `${readFileSync(args.path, 'utf8')}\nrequire(${hook}).sizeDedupCaches(exports);\n`, loader: 'js', resolveDir: dirname(args.path) };
      });
      b.onEnd((r) => {
        if (!r.errors.length && !seen) throw new Error('@crawlee/core/storages/request_dedup_cache.js was not bundled: see fetch/dedup-cache.ts');
      });
    },
  };
}

/**
 * A CommonJS package that reads files beside its code (Crawlee's browser pool, the header and
 * fingerprint data of its browser path) asks `__dirname`, which an ES module bundle does not
 * have. Each such file gets its own, its real folder in node_modules, found from the bundle's
 * folder at run time (the two keep their places in the package, wherever it is installed).
 */
function ownDirname(): Plugin {
  return {
    name: 'xjwatch-own-dirname',
    setup(b) {
      b.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (!/\b__(dirname|filename)\b/.test(source)) return undefined;
        const dir = JSON.stringify(relative(OUT, dirname(args.path)));
        const file = JSON.stringify(relative(dirname(args.path), args.path));
        const own = `var __dirname = __xjwatchJoin(__xjwatchBundleDir, ${dir}), __filename = __xjwatchJoin(__dirname, ${file});\n`;
        // after a "use strict" (and a #! line), which must stay first to count
        const head = /^(#![^\n]*\n)?(\s*(['"])use strict\3;?)?/.exec(source)?.[0] ?? '';
        return { contents: `${head}\n${own}${source.slice(head.length)}`, loader: 'js', resolveDir: dirname(args.path) };
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
  // CommonJS packages inside an ES module still call require() for Node's own modules, and some
  // ask their own folder (ownDirname)
  banner: {
    js: [
      "import { createRequire as __xjwatchCreateRequire } from 'node:module';",
      "import { dirname as __xjwatchDirname, join as __xjwatchJoin } from 'node:path';",
      "import { fileURLToPath as __xjwatchFileURLToPath } from 'node:url';",
      'const require = __xjwatchCreateRequire(import.meta.url);',
      'const __xjwatchBundleDir = __xjwatchDirname(__xjwatchFileURLToPath(import.meta.url));',
    ].join('\n'),
  },
  plugins: [sizedDedupCache(), ownDirname()],
  logLevel: 'warning',
  metafile: true,
});
// what went into which chunk, for esbuild's analyser: XJWATCH_BUNDLE_META=meta.json npm run build
if (process.env.XJWATCH_BUNDLE_META) writeFileSync(process.env.XJWATCH_BUNDLE_META, JSON.stringify(result.metafile));
