import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from './errors.js';
import { timezone } from './site-schema.js';
import { YamlSource } from './yaml-source.js';

const httpUrl = z.string().refine((u) => {
  try {
    return /^https?:$/.test(new URL(u).protocol);
  } catch {
    return false;
  }
}, 'must be an http(s) URL');

const tsaSchema = z.union([httpUrl.transform((url) => ({ url, ca: undefined as string | undefined })), z.strictObject({ url: httpUrl, ca: z.string().min(1).optional() })]);

export const ALERT_KINDS = ['new_posting', 'changed', 'delisted', 'suspected_deletion', 'deleted', 'restored', 'unreachable', 'challenge_failed', 'site_broken', 'operator'] as const;
type AlertKind = (typeof ALERT_KINDS)[number];
/** what a researcher gets unless they say otherwise: what they act on, not site trouble */
export const DEFAULT_ALERT_KINDS: AlertKind[] = ['new_posting', 'changed', 'delisted', 'deleted', 'restored'];
/**
 * what an operator gets unless they say otherwise: the operator's problems, and the site-wide
 * trouble as it starts and ends (route.ts keeps page-scoped trouble and restorations away from
 * them). A list that stops yielding comes as the operator problem list_broken, with its clearing,
 * rather than as site_broken.
 */
export const DEFAULT_OPERATOR_KINDS: AlertKind[] = ['operator', 'unreachable', 'challenge_failed', 'restored'];

const recipientSchema = z.strictObject({
  to: z.string().trim().regex(/^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/, 'is not an e-mail address'),
  /** a researcher (the default) gets findings; an operator, the tool's own health (`operator` events) */
  kind: z.enum(['researcher', 'operator']).default('researcher'),
  /** only these site ids (default all) */
  sites: z.array(z.string().min(1)).optional(),
  /** only events about pages that mention one of these terms, or terms with one of these tags */
  terms: z.array(z.string().min(1)).optional(),
  tags: z.array(z.string().min(1)).optional(),
  /** default by `kind`: DEFAULT_ALERT_KINDS or DEFAULT_OPERATOR_KINDS */
  kinds: z.array(z.enum(ALERT_KINDS)).optional(),
  /** each event at once, or gathered into one mail a day or a week */
  send: z.enum(['immediate', 'daily', 'weekly']).default('immediate'),
  at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM').default('08:00'),
  day: z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']).default('mon'),
  timezone: timezone.default('Asia/Shanghai'),
})
  // said rather than ignored: a researcher listing `operator` would otherwise wait for mail that never comes
  .refine((r) => r.kind === 'operator' || !r.kinds?.includes('operator'), { message: 'operator events go only to recipients with `kind: operator`', path: ['kinds'] })
  .transform((r) => ({ ...r, kinds: r.kinds ?? (r.kind === 'operator' ? DEFAULT_OPERATOR_KINDS : DEFAULT_ALERT_KINDS) }));

/** How often known postings are rechecked (`watch`, `crawl --recheck due`); see schedule/revisit.ts. */
const revisitSchema = z.strictObject({
  /** pages a site file pins (the pages a report cites) */
  pinnedHours: z.number().positive().max(24 * 365).default(6),
  /** postings with term hits (and pages under suspicion of deletion wait `suspectedMinutes`) */
  hitsHours: z.number().positive().max(24 * 365).default(6),
  /** postings first seen less than `youngDays` ago are rechecked every `youngHours` */
  youngDays: z.number().min(0).max(365).default(14),
  youngHours: z.number().positive().max(24 * 365).default(24),
  /** the rest: the interval grows with how long a page has stayed unchanged, and starts again when it changes */
  ladderDays: z.array(z.number().positive().max(365)).min(1).max(20).default([1, 3, 7, 30]),
  /** a suspected deletion is checked again this soon, so that it is confirmed (or cleared) within hours */
  suspectedMinutes: z.number().positive().max(24 * 60).default(60),
});

/** The watcher: how many sites at once, how their starts are spread, how often the outbox is tried. */
const watchSchema = z.strictObject({
  // sites at once; each waits on its own host most of the time, so hundreds of small sites can share one watcher (bench/scale)
  concurrency: z.number().int().min(1).max(1000).default(4),
  jitterSeconds: z.number().min(0).max(3600).default(120),
  outboxSeconds: z.number().min(1).max(3600).default(60),
  // worker threads the sites are spread over (a host's sites share one); `auto`: one per core
  workers: z.union([z.number().int().min(1).max(64), z.literal('auto')], { error: 'must be a number of threads (1 to 64) or auto' }).default(1),
});

/** Operator health (`operator` events): when a site, a host, the disk or the outbox is in trouble. */
const operatorSchema = z.strictObject({
  /** a site is quiet when no new posting has been found for this many days … */
  quietDays: z.number().positive().max(3650).default(21),
  /** … having posted at least `minPostings` times (by the postings' own dates) in the `lookbackDays` before */
  lookbackDays: z.number().positive().max(3650).default(90),
  minPostings: z.number().int().min(1).max(100_000).default(8),
  /** a site unreachable or blocked in this many of its runs in a row */
  blockedRuns: z.number().int().min(1).max(1000).default(3),
  /** free space on the data directory's file system below this many MiB, or below this share of it */
  diskFreeMB: z.number().min(0).max(1e9).default(2048),
  diskFreePercent: z.number().min(0).max(100).default(2),
  /** a mail still queued this long after it was formed (failing, or never tried) */
  outboxMinutes: z.number().positive().max(60 * 24 * 30).default(60),
});

export type RevisitPolicy = z.infer<typeof revisitSchema>;
export type WatchSettings = z.infer<typeof watchSchema>;
export type OperatorSettings = z.infer<typeof operatorSchema>;
export const DEFAULT_REVISIT: RevisitPolicy = revisitSchema.parse({});
export const DEFAULT_WATCH: WatchSettings = watchSchema.parse({});
export const DEFAULT_OPERATOR: OperatorSettings = operatorSchema.parse({});

const settingsSchema = z.strictObject({
  mail: z
    .strictObject({
      recipients: z.array(recipientSchema).default([]),
      /** a deletion mail carries the evidence bundle's .zip when it is no larger than this */
      attachBundleMB: z.number().min(0).max(50).default(10),
    })
    .default({ recipients: [], attachBundleMB: 10 }),
  /** RFC 3161 time-stamp authorities for evidence bundles; `ca` is the root certificate (PEM) when the TSA's reply does not carry it */
  timestamps: z.array(tsaSchema).default([]),
  /** bundles: also submit each URL to the Internet Archive's Save Page Now */
  wayback: z.boolean().default(false),
  /** pages already gone when first fetched: look up the archive's earliest good copy (tells the archive which pages you watch) */
  prior: z.strictObject({ wayback: z.boolean().default(false) }).default({ wayback: false }),
  revisit: revisitSchema.default(DEFAULT_REVISIT),
  watch: watchSchema.default(DEFAULT_WATCH),
  operator: operatorSchema.default(DEFAULT_OPERATOR),
});

export interface TsaSetting {
  url: string;
  /** path to the root certificate, resolved against the settings file */
  ca?: string;
}

export type Recipient = z.infer<typeof recipientSchema>;

export interface Settings {
  file?: string;
  timestamps: TsaSetting[];
  wayback: boolean;
  prior: { wayback: boolean };
  mail: { recipients: Recipient[]; attachBundleMB: number };
  revisit: RevisitPolicy;
  watch: WatchSettings;
  operator: OperatorSettings;
}

/** A recipient for one ad-hoc run (`crawl --mail-to`): everything a researcher can get, at once. */
export function adhocRecipient(to: string): Recipient {
  const r = recipientSchema.safeParse({ to });
  if (!r.success) throw new InputError(`not an e-mail address: ${to}`, undefined, undefined, '--mail-to');
  return { ...r.data, kinds: ALERT_KINDS.filter((k) => k !== 'operator') };
}

/**
 * The settings file: `--config FILE`, else `settings.yaml` in the data directory, else defaults.
 * XJWATCH_TSA_URLS (comma-separated) replaces the time-stamp authorities. Never holds secrets:
 * the mail server and its credentials come from XJWATCH_SMTP_URL only.
 */
export function loadSettings(dataDir: string, config?: string, env: NodeJS.ProcessEnv = process.env): Settings {
  const file = config ? resolve(config) : join(dataDir, 'settings.yaml');
  let s: Settings = { timestamps: [], wayback: false, prior: { wayback: false }, mail: { recipients: [], attachBundleMB: 10 }, revisit: DEFAULT_REVISIT, watch: DEFAULT_WATCH, operator: DEFAULT_OPERATOR };
  if (config || existsSync(file)) {
    const src = YamlSource.read(file);
    const v = src.validate(settingsSchema, src.value ?? {});
    s = { file, wayback: v.wayback, prior: v.prior, mail: v.mail, revisit: v.revisit, watch: v.watch, operator: v.operator, timestamps: v.timestamps.map((t) => ({ url: t.url, ...(t.ca ? { ca: resolve(dirname(file), t.ca) } : {}) })) };
  }
  const fromEnv = env.XJWATCH_TSA_URLS?.trim();
  if (fromEnv !== undefined && fromEnv !== '') {
    s.timestamps = fromEnv.split(',').map((u) => u.trim()).filter(Boolean).map((url) => {
      const ok = httpUrl.safeParse(url);
      if (!ok.success) throw new InputError(`not an http(s) URL: ${url}`, 'XJWATCH_TSA_URLS');
      return { url };
    });
  }
  return s;
}
