import { extname } from 'node:path';
import { z } from 'zod';
import type { Term } from '../terms/types.js';
import { normalizeText } from '../terms/normalize.js';
import { InputError } from './errors.js';
import { readConfigText, YamlSource } from './yaml-source.js';

const termText = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'is longer than 100 characters')
  .refine((s) => !/[\u0000-\u001f]/.test(s), 'contains control characters');

const termSchema = z.strictObject({
  term: termText,
  gloss: z.string().optional(),
  variants: z.array(termText).default([]),
  tags: z.array(z.string().min(1)).default([]),
  /** footnote numbers in the seed report where the term appears; informational */
  fn: z.array(z.number().int()).optional(),
});

const termFileSchema = z.union([
  z.array(termSchema),
  z.strictObject({ terms: z.array(termSchema) }),
]);

/** Limits of a term file: a research team's list is hundreds of terms, not millions. */
export const MAX_TERM_FILE_BYTES = 8 * 1024 * 1024;
export const MAX_TERMS = 100_000;

/** Reads a term file: YAML (.yaml/.yml) or plain text, one term per line, # comments. */
export function loadTermFile(file: string): Term[] {
  const ext = extname(file).toLowerCase();
  const terms = ext === '.yaml' || ext === '.yml' ? loadYaml(file) : loadPlain(file);
  if (terms.length === 0) throw new InputError('no terms in file', file);
  const forms = terms.reduce((n, t) => n + 1 + t.variants.length, 0);
  if (forms > MAX_TERMS) throw new InputError(`holds ${forms} terms and variants; at most ${MAX_TERMS} are matched`, file);
  return terms;
}

function loadYaml(file: string): Term[] {
  const src = YamlSource.read(file, MAX_TERM_FILE_BYTES);
  const raw = src.value;
  // Validate item by item so that the error names the entry that is wrong.
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' && 'terms' in raw ? (raw as { terms: unknown }).terms : undefined;
  const base: PropertyKey[] = Array.isArray(raw) ? [] : ['terms'];
  if (!Array.isArray(list)) {
    src.validate(termFileSchema, raw);
    throw new InputError('expected a list of terms, or "terms:" with a list', file, 1);
  }
  if (!Array.isArray(raw)) src.validate(z.strictObject({ terms: z.array(z.unknown()) }), raw);
  const terms: Term[] = [];
  const seen = new Map<string, number>();
  list.forEach((item, i) => {
    const t = src.validate(termSchema, typeof item === 'string' ? { term: item } : item, [...base, i]);
    for (const form of [t.term, ...t.variants]) {
      // 卫星工厂 and 衛星工廠 are one form once normalised: listing both is a mistake to point out
      const key = normalizeText(form);
      if (seen.has(key)) {
        throw new InputError(`"${form}" is listed twice (also entry ${seen.get(key)! + 1}, after normalisation)`, file, src.lineOf([...base, i]), `${base.length ? 'terms' : ''}[${i}]`);
      }
      seen.set(key, i);
    }
    terms.push({ term: t.term, gloss: t.gloss, variants: t.variants, tags: t.tags });
  });
  return terms;
}

function loadPlain(file: string): Term[] {
  const text = readConfigText(file, MAX_TERM_FILE_BYTES);
  if (text.includes('\uFFFD') || text.includes('\u0000')) {
    throw new InputError('is not UTF-8 text (save it as UTF-8)', file, lineOfChar(text, /[\uFFFD\u0000]/));
  }
  const terms: Term[] = [];
  const seen = new Map<string, number>();
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((line, i) => {
    const value = line.replace(/#.*$/, '').trim();
    if (!value) return;
    const parsed = termText.safeParse(value);
    if (!parsed.success) throw new InputError(parsed.error.issues[0]!.message, file, i + 1, 'term');
    const key = normalizeText(value);
    if (seen.has(key)) throw new InputError(`"${value}" is listed twice (also line ${seen.get(key)}${key !== value ? ', after normalisation' : ''})`, file, i + 1, 'term');
    seen.set(key, i + 1);
    terms.push({ term: value, variants: [], tags: [] });
  });
  return terms;
}

function lineOfChar(text: string, re: RegExp): number {
  const idx = text.search(re);
  return idx < 0 ? 1 : text.slice(0, idx).split('\n').length;
}
