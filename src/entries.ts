/**
 * Modules that run in a thread or process of their own, found by path. `npm run build` bundles the
 * CLI (scripts/bundle.ts): there each of these is an entry of its own beside the shared chunks, in
 * one folder, named as here; in tsc's output (what the tests and benches import) each sits where
 * its source does, which the caller gives.
 */
declare const __XJWATCH_BUNDLE__: boolean | undefined;

export const BUNDLED = typeof __XJWATCH_BUNDLE__ !== 'undefined' && __XJWATCH_BUNDLE__;

export type Entry = 'watch-worker' | 'bridge-worker' | 's3-worker' | 'reader-process';

/** The entry's URL: in the bundle, beside this code's chunk; else `unbundled` (resolved by the caller). */
export function entryUrl(name: Entry, unbundled: URL): URL {
  return BUNDLED ? new URL(`./${name}.js`, import.meta.url) : unbundled;
}
