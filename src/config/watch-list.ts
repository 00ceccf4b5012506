import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from './errors.js';
import { httpUrl, siteId } from './site-schema.js';
import { YamlSource } from './yaml-source.js';

/** Where one page is cited: a footnote, the sentence carrying its marker, the footnote's text. */
const contextSchema = z.strictObject({
  footnote: z.number().int().min(1).optional(),
  sentence: z.string().optional(),
  note: z.string().optional(),
  /** cited only through this archive link, which the report pairs with the page elsewhere */
  via: httpUrl.optional(),
});

export const watchEntrySchema = z.strictObject({
  url: httpUrl,
  /** the site it is watched on: a site file's id, or the id of a site made for the list's host */
  site: siteId.optional(),
  footnotes: z.array(z.number().int().min(1)).default([]),
  context: z.array(contextSchema).default([]),
  /** archived copies the report gives (archive.today, Wayback captures) */
  archived: z.array(httpUrl).default([]),
});

export const watchListSchema = z
  .strictObject({
    name: siteId,
    title: z.string().min(1).optional(),
    /** the report it was imported from, and its SHA-256 at the time */
    source: z.strictObject({ file: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex (64 characters)') }).optional(),
    imported_at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time, e.g. 2026-12-01T10:00:00Z' }).optional(),
    entries: z.array(watchEntrySchema).min(1, 'needs at least one entry (url: …)').max(100_000),
  })
  .superRefine((list, ctx) => {
    const seen = new Map<string, number>();
    list.entries.forEach((e, i) => {
      const first = seen.get(e.url);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['entries', i, 'url'], message: `is listed twice (also entries[${first}])` });
      else seen.set(e.url, i);
    });
  });

export type WatchList = z.infer<typeof watchListSchema>;
export type WatchEntry = z.infer<typeof watchEntrySchema>;

/** A watch list as loaded: its content and the file it came from. */
export interface LoadedWatchList extends WatchList {
  file: string;
}

/** A list of tens of thousands of cited URLs with their sentences stays well under this. */
const WATCH_LIST_MAX_BYTES = 64 * 1024 * 1024;

export function loadWatchList(file: string): LoadedWatchList {
  const src = YamlSource.read(file, WATCH_LIST_MAX_BYTES);
  return { ...src.validate(watchListSchema, src.value), file: resolve(file) };
}

/** Is this parsed YAML a watch list (rather than a site file)? It has `entries:`. */
export function looksLikeWatchList(value: unknown): boolean {
  return Boolean(value && typeof value === 'object' && !Array.isArray(value) && 'entries' in value);
}

/** Is the file at this path a watch list? Read only far enough to tell; errors are the loader's. */
export function isWatchListFile(file: string): boolean {
  try {
    return looksLikeWatchList(YamlSource.read(file, WATCH_LIST_MAX_BYTES).value);
  } catch {
    return false;
  }
}

/** Folders searched for <name>.yaml, first match wins: the data directory's, then the bundled ones. */
export function watchListDirs(dataDir: string, packageRoot: string): string[] {
  return [join(dataDir, 'lists'), join(packageRoot, 'crawlers', 'lists')];
}

export function findWatchList(name: string, dirs: string[]): string | undefined {
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name)) return undefined;
  for (const dir of dirs) {
    for (const ext of ['.yaml', '.yml']) {
      const f = join(dir, name + ext);
      if (existsSync(f)) return f;
    }
  }
  return undefined;
}

/** Every watch list in the folders, by name (earlier folders win). */
export function listWatchLists(dirs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const m = /^(.+)\.ya?ml$/.exec(name);
      if (m && !out.has(m[1]!)) out.set(m[1]!, join(dir, name));
    }
  }
  return out;
}

/** A list name from a file name: `003_Report (final).pdf` → `003_report-final`. */
export function listNameFrom(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
  const name = base.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[-_]+|[-_]+$/g, '').slice(0, 64);
  if (!name) throw new InputError(`cannot make a list name from "${fileName}": give one with --name`);
  return name;
}
