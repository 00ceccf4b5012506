import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../../config/errors.js';
import { loadSettings } from '../../config/settings.js';
import { stampBundle } from '../../evidence/stamp.js';
import { zipBundle } from '../../evidence/zip.js';
import { dataDirOf, out, printJson, RuntimeFailure, safe, type CommonOptions } from '../common.js';
import { green, yellow } from '../format.js';

export interface StampOptions extends CommonOptions {
  config?: string;
}

/** `xjwatch stamp DIR`: adds RFC 3161 time-stamps to a bundle made without them (or adds more). */
export async function stampCommand(dir: string, opts: StampOptions): Promise<number> {
  const bundle = resolve(dir);
  if (!existsSync(join(bundle, 'manifest.json'))) throw new InputError('not an evidence bundle (no manifest.json)', bundle);
  const settings = loadSettings(dataDirOf(opts), opts.config);
  if (!settings.timestamps.length) throw new InputError('no time-stamp authority configured: set XJWATCH_TSA_URLS or `timestamps:` in settings.yaml');
  const made = await stampBundle(bundle, settings.timestamps);
  await zipBundle(bundle);
  if (opts.json) for (const s of made) printJson(s);
  else for (const s of made) out(s.ok ? `${green('stamped')}  ${safe(s.tsa)}  ${s.gen_time}  timestamps/${s.name}.tsr` : `${yellow('failed')}   ${safe(s.tsa)}: ${safe(s.problem ?? '')}`);
  if (!made.some((s) => s.ok)) throw new RuntimeFailure('no time-stamp authority answered; the bundle is unchanged');
  return 0;
}
