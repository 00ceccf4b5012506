import type { Db } from './db.js';
import type { BundleRecord } from './rows.js';

/** A bundle as listed: its row, and the addresses it proves. */
export type KeptBundle = BundleRecord & { urls: string[] };

/** Records a bundle made and the pages it proves, each with its verdict: one transaction. */
export function recordBundle(db: Db, b: Omit<BundleRecord, 'id'>, pages: { url: string; verdict: string }[]): number {
  return db.transaction(() => {
    const id = Number(db.prepare(`INSERT INTO bundles (name, made_at, host, zip_sha256, zip_size, files) VALUES (?, ?, ?, ?, ?, ?)`).run(b.name, b.made_at, b.host, b.zip_sha256, b.zip_size, b.files).lastInsertRowid);
    const pageOf = db.prepare(`SELECT id FROM pages WHERE url = ?`);
    const add = db.prepare(`INSERT INTO bundle_pages (bundle_id, page_id, verdict) VALUES (?, ?, ?)`);
    for (const p of pages) {
      const page = pageOf.get(p.url) as { id: number } | undefined;
      if (page) add.run(id, page.id, p.verdict);
    }
    return id;
  })();
}

/** The bundles made, newest first: all, or those proving one page. */
export function keptBundles(db: Db, pageId?: number): KeptBundle[] {
  const rows = (
    pageId === undefined
      ? db.prepare(`SELECT * FROM bundles ORDER BY made_at DESC, id DESC`).all()
      : db.prepare(`SELECT * FROM bundles WHERE id IN (SELECT bundle_id FROM bundle_pages WHERE page_id = ?) ORDER BY made_at DESC, id DESC`).all(pageId)
  ) as BundleRecord[];
  return withUrls(db, rows);
}

/** The bundles proving the page at `url`, newest first. */
export function bundlesOfUrl(db: Db, url: string): KeptBundle[] {
  const rows = db.prepare(`SELECT * FROM bundles WHERE id IN (SELECT bp.bundle_id FROM bundle_pages bp JOIN pages p ON p.id = bp.page_id WHERE p.url = ?) ORDER BY made_at DESC, id DESC`).all(url) as BundleRecord[];
  return withUrls(db, rows);
}

/** The latest bundle of that name. */
export function keptBundle(db: Db, name: string): KeptBundle | undefined {
  const row = db.prepare(`SELECT * FROM bundles WHERE name = ? ORDER BY id DESC LIMIT 1`).get(name) as BundleRecord | undefined;
  return row ? withUrls(db, [row])[0] : undefined;
}

function withUrls(db: Db, rows: BundleRecord[]): KeptBundle[] {
  const urls = db.prepare(`SELECT p.url FROM bundle_pages bp JOIN pages p ON p.id = bp.page_id WHERE bp.bundle_id = ? ORDER BY bp.id`);
  return rows.map((r) => ({ ...r, urls: (urls.all(r.id) as { url: string }[]).map((u) => u.url) }));
}
