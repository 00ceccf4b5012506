import type { FastifyReply } from 'fastify';
import type { Settings } from '../config/settings.js';
import type { StatusReport } from '../schedule/status-report.js';
import type { BlobStore } from '../store/blobs.js';
import type { Db } from '../store/db.js';
import type { Term } from '../terms/types.js';
import type { Csrf } from './access.js';

/** What every route of the view is given: the catalogue and what it is read with. */
export interface WebContext {
  db: Db;
  dataDir: string;
  blobs: BlobStore;
  terms: Term[];
  settings: Settings;
  /** the reader's time zone for times shown beside UTC */
  tz: string;
  csrf: Csrf;
  /** the status report (schedule/status-report.ts), read at most every STATUS_TTL_MS: at 100,000 postings it takes over a second (its due counts walk every posting) */
  status(): StatusReport;
  /** a page of the view: the template's HTML inside the layout, every value escaped */
  render(reply: FastifyReply, view: string, data: Record<string, unknown>): FastifyReply;
}
