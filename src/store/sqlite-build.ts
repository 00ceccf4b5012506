import Database from 'better-sqlite3';

/**
 * What the SQLite linked into better-sqlite3 can do, asked of a throw-away in-memory database:
 * search over Chinese needs FTS5 with the trigram tokenizer (SQLite 3.34 or later).
 */
export function sqliteBuild(): { version: string; trigram: boolean; problem?: string } {
  const db = new Database(':memory:');
  try {
    const version = (db.prepare(`SELECT sqlite_version() AS v`).get() as { v: string }).v;
    try {
      db.exec(`CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'trigram')`);
      db.prepare(`INSERT INTO t (body) VALUES (?)`).run('喀什地区职业技能教育培训中心');
      const n = (db.prepare(`SELECT count(*) AS n FROM t WHERE t MATCH ?`).get('"教育培训"') as { n: number }).n;
      return n === 1 ? { version, trigram: true } : { version, trigram: false, problem: 'the trigram index did not find a word it holds' };
    } catch (e) {
      return { version, trigram: false, problem: (e as Error).message };
    }
  } finally {
    db.close();
  }
}
