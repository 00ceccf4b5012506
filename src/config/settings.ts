import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from './errors.js';
import { YamlSource } from './yaml-source.js';

const httpUrl = z.string().refine((u) => {
  try {
    return /^https?:$/.test(new URL(u).protocol);
  } catch {
    return false;
  }
}, 'must be an http(s) URL');

const tsaSchema = z.union([httpUrl.transform((url) => ({ url, ca: undefined as string | undefined })), z.strictObject({ url: httpUrl, ca: z.string().min(1).optional() })]);

const settingsSchema = z.strictObject({
  /** RFC 3161 time-stamp authorities for evidence bundles; `ca` is the root certificate (PEM) when the TSA's reply does not carry it */
  timestamps: z.array(tsaSchema).default([]),
  /** bundles: also submit each URL to the Internet Archive's Save Page Now */
  wayback: z.boolean().default(false),
});

export interface TsaSetting {
  url: string;
  /** path to the root certificate, resolved against the settings file */
  ca?: string;
}

export interface Settings {
  file?: string;
  timestamps: TsaSetting[];
  wayback: boolean;
}

/**
 * The settings file: `--config FILE`, else `settings.yaml` in the data directory, else defaults.
 * XJWATCH_TSA_URLS (comma-separated) replaces the time-stamp authorities. Never holds secrets.
 */
export function loadSettings(dataDir: string, config?: string, env: NodeJS.ProcessEnv = process.env): Settings {
  const file = config ? resolve(config) : join(dataDir, 'settings.yaml');
  let s: Settings = { timestamps: [], wayback: false };
  if (config || existsSync(file)) {
    const src = YamlSource.read(file);
    const v = src.validate(settingsSchema, src.value ?? {});
    s = { file, wayback: v.wayback, timestamps: v.timestamps.map((t) => ({ url: t.url, ...(t.ca ? { ca: resolve(dirname(file), t.ca) } : {}) })) };
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
