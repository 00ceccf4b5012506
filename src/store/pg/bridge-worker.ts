import pg from 'pg';
import { runAsWorker } from 'synckit';

// The thread that holds a thread's PostgreSQL connections (node-postgres, asynchronous) and answers
// the store's synchronous calls one at a time (bridge.ts): better-sqlite3's model, over a socket.

/** What a call asks. */
export type BridgeCall =
  | { op: 'connect'; id: number; url: string }
  | { op: 'query'; id: number; name?: string; text: string; values: (string | null)[] }
  | { op: 'exec'; id: number; text: string }
  | { op: 'close'; id: number };

/** What it answers: rows as arrays under their column names, or the server's error. */
export type BridgeAnswer =
  | { ok: true; columns: string[]; rows: unknown[][]; changes: number }
  | { ok: false; message: string; code: string | undefined };

// numbers come back as numbers and comparisons as 1/0, as SQLite gives them; everything else as
// the server's text (timestamps are kept as ISO text by xjwatch, JSON as text, as in SQLite)
const NUMBER = new Set([20, 21, 23, 26, 700, 701, 1700]);
const BOOL = 16;
const types = {
  getTypeParser: (oid: number) => (NUMBER.has(oid) ? Number : oid === BOOL ? (v: string) => (v === 't' ? 1 : 0) : (v: string) => v),
};

const clients = new Map<number, pg.Client>();

runAsWorker(async (call: BridgeCall): Promise<BridgeAnswer> => {
  try {
    if (call.op === 'connect') {
      // a custom plan for every execution: after five runs PostgreSQL may keep a generic plan for a
      // named statement, and search's LIKE pattern then gets the plan of no pattern in particular
      // (a rare two-character query went from 0.2 to 0.6 s at 100,000 postings)
      const client = new pg.Client({ connectionString: call.url, types: types as unknown as pg.CustomTypesConfig, options: '-c plan_cache_mode=force_custom_plan' });
      // a server that goes away is told to the next call, not thrown here unheard
      client.on('error', () => {});
      await client.connect();
      clients.set(call.id, client);
      return { ok: true, columns: [], rows: [], changes: 0 };
    }
    const client = clients.get(call.id);
    if (!client) return { ok: false, message: 'the catalogue database connection is closed', code: undefined };
    if (call.op === 'close') {
      clients.delete(call.id);
      await client.end().catch(() => {});
      return { ok: true, columns: [], rows: [], changes: 0 };
    }
    if (call.op === 'exec') {
      await client.query(call.text);
      return { ok: true, columns: [], rows: [], changes: 0 };
    }
    const r = await client.query({ name: call.name, text: call.text, values: call.values, rowMode: 'array' });
    return { ok: true, columns: r.fields.map((f) => f.name), rows: r.rows as unknown[][], changes: r.rowCount ?? 0 };
  } catch (e) {
    const err = e as Error & { code?: string };
    return { ok: false, message: err.message, code: typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) ? err.code : undefined };
  }
});
