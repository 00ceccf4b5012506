/**
 * The Wayback Machine's CDX index answer (`cdx/search/cdx?url=…&output=json&fl=timestamp,original,
 * statuscode,digest`): a JSON array whose first row names the fields, then one row per capture,
 * oldest first. Bytes to rows, and the choice of the capture worth fetching.
 */
export interface CdxRow {
  /** 14 digits, UTC: when the archive saw the page */
  timestamp: string;
  original: string;
  /** '200', '302', '404' … or '-' (a revisit record) */
  statuscode: string;
  digest: string;
}

/** The rows of a CDX JSON answer, or a sentence saying why it is not one. */
export function parseCdx(body: string): { rows: CdxRow[] } | { problem: string } {
  let v: unknown;
  try {
    v = body.trim() === '' ? [] : JSON.parse(body);
  } catch {
    return { problem: `the index answer is not JSON (${JSON.stringify(body.slice(0, 60))}…)` };
  }
  if (!Array.isArray(v)) return { problem: 'the index answer is not a JSON array' };
  if (v.length === 0) return { rows: [] };
  const head = v[0];
  if (!Array.isArray(head) || !head.every((h) => typeof h === 'string')) return { problem: 'the index answer has no row of field names first' };
  const at = (name: string) => head.indexOf(name);
  const [ts, orig, st, dg] = [at('timestamp'), at('original'), at('statuscode'), at('digest')];
  if (ts < 0 || orig < 0 || st < 0) return { problem: `the index answer lacks fields (has ${head.join(', ')})` };
  const rows: CdxRow[] = [];
  for (const r of v.slice(1)) {
    if (!Array.isArray(r)) continue;
    const timestamp = String(r[ts] ?? '');
    const original = String(r[orig] ?? '');
    if (!/^\d{14}$/.test(timestamp) || !/^https?:\/\//i.test(original)) continue; // a malformed row is skipped, not trusted
    rows.push({ timestamp, original, statuscode: String(r[st] ?? ''), digest: dg >= 0 ? String(r[dg] ?? '') : '' });
  }
  return { rows };
}

/**
 * The earliest capture the archive saw answer 200: redirects, errors and revisit records are
 * skipped, and of captures with the same digest (the same bytes seen again) only the first counts.
 */
export function earliestGood(rows: CdxRow[]): CdxRow | undefined {
  const seen = new Set<string>();
  const good: CdxRow[] = [];
  for (const r of [...rows].sort((a, b) => a.timestamp.localeCompare(b.timestamp))) {
    if (r.statuscode !== '200') continue;
    if (r.digest && seen.has(r.digest)) continue;
    if (r.digest) seen.add(r.digest);
    good.push(r);
  }
  return good[0];
}

/** A CDX timestamp (YYYYMMDDhhmmss, UTC) as ISO 8601. */
export function cdxTime(ts: string): string {
  return `${ts.slice(0, 4)}-${ts.slice(4, 6)}-${ts.slice(6, 8)}T${ts.slice(8, 10)}:${ts.slice(10, 12)}:${ts.slice(12, 14)}Z`;
}
