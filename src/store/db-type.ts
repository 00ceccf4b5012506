import type Database from 'better-sqlite3';

// Imports nothing from store/: migrations and custody need `Db` while db.ts needs them.
export type Db = Database.Database;

export class StoreError extends Error {
  override name = 'StoreError';
}
