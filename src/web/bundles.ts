import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { keptBundle, keptBundles } from '../store/bundle-records.js';
import type { Db } from '../store/db.js';

/** Where the view keeps the bundles it builds: beside the catalogue, one folder (and its .zip) each. */
export const bundlesDir = (dataDir: string) => join(dataDir, 'bundles');

/**
 * A new bundle folder's name: the page and the moment it was made (UTC, to the second), with -2,
 * -3 … after it when that second already has one (a button pressed twice, here or on another
 * machine of the team: the catalogue knows its bundles' names).
 */
export function bundleName(dataDir: string, db: Db, pageId: number, at = new Date()): string {
  const base = `page-${pageId}-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
  let name = base;
  for (let n = 2; existsSync(join(bundlesDir(dataDir), name)) || existsSync(join(bundlesDir(dataDir), `${name}.zip`)) || keptBundle(db, name); n++) name = `${base}-${n}`;
  return name;
}

export const BUNDLE_NAME = /^page-(\d+)-\d{8}T\d{6}Z(-\d+)?$/;

/** A bundle as the view lists it, and the addresses it is shown and downloaded at. */
export interface ListedBundle {
  name: string;
  at: string;
  /** where it was made (the catalogue's record), or null for a folder made before bundles were recorded */
  host: string | null;
  sha256: string | null;
  view: string;
  download: string | null;
}

const href = (name: string) => `/bundle/${encodeURIComponent(name)}`;

/**
 * The bundles of a page (or all), newest first: those the catalogue records, made on any machine
 * of the team by the view or `xjwatch prove`, and this data directory's own folders from before
 * bundles were recorded (only whole ones: prove renames a finished bundle into place).
 */
export function bundlesOf(dataDir: string, db: Db, pageId?: number): ListedBundle[] {
  const kept = keptBundles(db, pageId).map((b) => ({ name: b.name, at: b.made_at, host: b.host, sha256: b.zip_sha256, view: href(b.name), download: `${href(b.name)}/download` }));
  const names = new Set(kept.map((b) => b.name));
  const dir = bundlesDir(dataDir);
  const older = existsSync(dir)
    ? readdirSync(dir)
        .map((name) => ({ name, m: BUNDLE_NAME.exec(name) }))
        .filter((x) => x.m && !names.has(x.name) && (pageId === undefined || Number(x.m[1]) === pageId) && statSync(join(dir, x.name)).isDirectory())
        .map((x) => ({ name: x.name, at: statSync(join(dir, x.name)).mtime.toISOString(), host: null, sha256: null, view: href(x.name), download: existsSync(join(dir, `${x.name}.zip`)) ? `${href(x.name)}/download` : null }))
    : [];
  return [...kept, ...older].sort((a, b) => b.at.localeCompare(a.at));
}
