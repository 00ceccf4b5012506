import { PreparedStatements, type Db, type Statement } from './db.js';
import { sqlFor } from './dialect.js';
import type { OperatorProblemRecord } from './rows.js';

/**
 * Where the operator's problems stand: a row while one is reported and not cleared. Written in
 * the transaction of the event that reports it (raised: the row is made; cleared: it goes).
 */
export class OperatorStore {
  private readonly prepared: PreparedStatements;

  constructor(private readonly db: Db) {
    this.prepared = PreparedStatements.of(db);
  }

  private stmt(sql: string): Statement {
    return this.prepared.get(sql);
  }

  open(problem: string, key: string): OperatorProblemRecord | undefined {
    return this.stmt(`SELECT * FROM operator_problems WHERE problem = ? AND key = ?`).get(problem, key) as OperatorProblemRecord | undefined;
  }

  raise(r: Omit<OperatorProblemRecord, 'event_id'>, eventId: number): void {
    this.stmt(`INSERT INTO operator_problems (problem, key, subject, site_id, since, raised_at, event_id, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(r.problem, r.key, r.subject, r.site_id, r.since, r.raised_at, eventId, r.summary);
  }

  clear(problem: string, key: string): void {
    this.stmt(`DELETE FROM operator_problems WHERE problem = ? AND key = ?`).run(problem, key);
  }
}

/** The open problems, oldest first, for `status`; none on a catalogue older than schema step 5 (status never migrates). */
export function openOperatorProblems(db: Db): OperatorProblemRecord[] {
  const present = sqlFor(db, {
    sqlite: `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'operator_problems'`,
    pg: `SELECT 1 WHERE to_regclass('operator_problems') IS NOT NULL`,
  });
  if (!db.prepare(present).get()) return [];
  return db.prepare(`SELECT * FROM operator_problems ORDER BY since, problem, key`).all() as OperatorProblemRecord[];
}
