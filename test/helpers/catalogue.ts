import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { pathToFileURL } from 'node:url';
import type { Db } from '../../src/store/db-type.js';

// the built connection: its bridge thread runs dist's JavaScript (the tests drive the built CLI too)
const { PgDb } = (await import(pathToFileURL(resolve(import.meta.dirname, '../../dist/src/store/pg/connection.js')).href)) as typeof import('../../src/store/pg/connection.js');

/**
 * The storage matrix: with XJWATCH_TEST_STORAGE=team, every data directory a test makes has its
 * own PostgreSQL database on the test server (scripts/services.sh, XJWATCH_TEST_PG) and its own
 * prefix in the test object store (XJWATCH_TEST_S3), and the CLI runs with XJWATCH_DATABASE_URL
 * and XJWATCH_BLOBS naming them; otherwise the catalogue is the SQLite file and the files the folder.
 */
export const TEAM = process.env.XJWATCH_TEST_STORAGE === 'team';

const made = new Set<string>();

/** The team database of a data directory (made on first use), or undefined in local mode. */
export function databaseUrlOf(dataDir: string): string | undefined {
  if (!TEAM) return undefined;
  const server = process.env.XJWATCH_TEST_PG;
  if (!server) throw new Error('XJWATCH_TEST_STORAGE=team needs XJWATCH_TEST_PG (test/helpers/global-services.ts sets it)');
  const name = `xjt_${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 20)}`;
  const url = new URL(server);
  if (!made.has(name)) {
    const exists = execFileSync('psql', [server, '-XAtqc', `SELECT 1 FROM pg_database WHERE datname = '${name}'`], { encoding: 'utf8' }).trim();
    if (!exists) {
      execFileSync('psql', [server, '-XAtqc', `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`], { stdio: ['ignore', 'ignore', 'pipe'] });
    }
    made.add(name);
  }
  url.pathname = `/${name}`;
  return url.toString();
}

/** The environment a CLI run on `dataDir` needs for the matrix (nothing in local mode). */
export function storageEnv(dataDir: string | undefined): Record<string, string> {
  if (!TEAM || !dataDir) return {};
  const url = databaseUrlOf(dataDir)!;
  return { XJWATCH_DATABASE_URL: url, ...objectStoreEnv(new URL(url).pathname.slice(1)) };
}

/**
 * A prefix of its own in the test object store (scripts/services.sh: s3rver on 127.0.0.1, bucket
 * xjwatch-test, its keys S3RVER/S3RVER), as the environment a CLI run needs.
 */
export function objectStoreEnv(prefix: string): Record<string, string> {
  const endpoint = process.env.XJWATCH_TEST_S3;
  if (!endpoint) throw new Error('XJWATCH_TEST_S3 is not set: test/helpers/global-services.ts starts the test object store');
  return { XJWATCH_BLOBS: `s3://xjwatch-test/${prefix}`, AWS_ENDPOINT_URL_S3: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
}

/** A data directory's catalogue, opened as a reader (or writer) would: SQLite's file or its team database. */
export function openCatalogue(dataDir: string, opts: { readonly?: boolean } = { readonly: true }): Db {
  const url = databaseUrlOf(dataDir);
  if (url) return new PgDb(url);
  return new Database(join(dataDir, 'xjwatch.db'), { readonly: opts.readonly ?? false }) as unknown as Db;
}

/** A database of its own on the test server, made afresh (dropped first), as a URL; `ctype` C is the one xjwatch refuses. */
export function freshTeamDatabase(name: string, ctype = 'C.UTF-8'): string {
  const server = process.env.XJWATCH_TEST_PG;
  if (!server) throw new Error('XJWATCH_TEST_PG is not set: test/helpers/global-services.ts starts the test PostgreSQL');
  execFileSync('psql', [server, '-XAtqc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: 'ignore' });
  execFileSync('psql', [server, '-XAtqc', `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE '${ctype}' LC_CTYPE '${ctype}'`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
}
