import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Where the view keeps the bundles it builds: beside the catalogue, one folder (and its .zip) each. */
export const bundlesDir = (dataDir: string) => join(dataDir, 'bundles');

/**
 * A new bundle folder's name: the page and the moment it was made (UTC, to the second), with -2,
 * -3 … after it when that second already has one (a button pressed twice).
 */
export function bundleName(dataDir: string, pageId: number, at = new Date()): string {
  const base = `page-${pageId}-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
  let name = base;
  for (let n = 2; existsSync(join(bundlesDir(dataDir), name)) || existsSync(join(bundlesDir(dataDir), `${name}.zip`)); n++) name = `${base}-${n}`;
  return name;
}

export const BUNDLE_NAME = /^page-(\d+)-\d{8}T\d{6}Z(-\d+)?$/;

/** The bundles built for a page, newest first (only whole ones: prove renames a finished bundle into place). */
export function bundlesOf(dataDir: string, pageId?: number): { name: string; page: number; zip: boolean; at: string }[] {
  const dir = bundlesDir(dataDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => ({ name, m: BUNDLE_NAME.exec(name) }))
    .filter((x) => x.m && (pageId === undefined || Number(x.m[1]) === pageId) && statSync(join(dir, x.name)).isDirectory())
    .map((x) => ({ name: x.name, page: Number(x.m![1]), zip: existsSync(join(dir, `${x.name}.zip`)), at: statSync(join(dir, x.name)).mtime.toISOString() }))
    .sort((a, b) => b.name.localeCompare(a.name));
}
