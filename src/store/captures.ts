import type { Db } from './db.js';

export interface NumberedCapture {
  /** 1 for the oldest capture of the page, as `history` numbers them */
  n: number;
  id: number;
  at: string;
  body_sha256: string;
  text: string | null;
  title: string | null;
  status: number;
  /** a third-party capture (schema step 7): the archive and when it saw the page */
  archive: string | null;
  archived_at: string | null;
}

/** Every capture of a URL, oldest first, numbered from 1. */
export function capturesOf(db: Db, url: string): NumberedCapture[] {
  const rows = db
    .prepare(
      `SELECT c.id, c.at, c.body_sha256, c.text, c.title, c.status, pc.archive, pc.archived_at
       FROM captures c JOIN pages p ON p.id = c.page_id LEFT JOIN prior_captures pc ON pc.capture_id = c.id WHERE p.url = ? ORDER BY c.id`,
    )
    .all(url) as Omit<NumberedCapture, 'n'>[];
  return rows.map((r, i) => ({ ...r, n: i + 1 }));
}

/** A capture named by its number or a prefix (4+ hex digits) of its SHA-256. */
export function pickCapture(all: NumberedCapture[], ref: string): NumberedCapture | undefined {
  const r = ref.replace(/^#/, '').replace(/^sha256:/, '').toLowerCase();
  if (/^\d{1,3}$/.test(r)) return all.find((c) => c.n === Number(r));
  if (/^[0-9a-f]{4,64}$/.test(r)) {
    const m = all.filter((c) => c.body_sha256.startsWith(r));
    return m.length ? m[m.length - 1] : undefined;
  }
  return undefined;
}

/**
 * The two captures a diff compares: `to` (default the newest) and `from` (default the one before
 * it), each named by number or SHA-256 prefix; `bad` says which reference names no capture.
 */
export function capturePair(all: NumberedCapture[], ref: { from?: string; to?: string }): { from: NumberedCapture; to: NumberedCapture } | { bad: 'from' | 'to'; ref: string } {
  const to = ref.to === undefined ? all[all.length - 1] : pickCapture(all, ref.to);
  if (!to) return { bad: 'to', ref: ref.to ?? '' };
  const from = ref.from === undefined ? all[Math.max(0, all.indexOf(to) - 1)] : pickCapture(all, ref.from);
  if (!from) return { bad: 'from', ref: ref.from ?? '' };
  return { from, to };
}
