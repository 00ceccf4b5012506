import { readFileSync, statSync } from 'node:fs';
import { LineCounter, isCollection, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { InputError } from './errors.js';

/** Site and settings files: a few kilobytes each in practice. */
export const CONFIG_MAX_BYTES = 1024 * 1024;

/** A config file's text, refused unread when it is larger than `maxBytes`. */
export function readConfigText(file: string, maxBytes: number): string {
  try {
    const size = statSync(file).size;
    if (size > maxBytes) throw new InputError(`is ${(size / 1024 / 1024).toFixed(1)} MiB; files of this kind are at most ${(maxBytes / 1024 / 1024).toFixed(0)} MiB`, file);
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot read file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, file);
  }
}

/** A YAML file parsed with positions, so that validation errors can name the line. */
export class YamlSource {
  private constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** `maxBytes`: a site or settings file is small; a bigger one is a mistake or an attack */
  static read(file: string, maxBytes = CONFIG_MAX_BYTES): YamlSource {
    return YamlSource.parse(file, readConfigText(file, maxBytes));
  }

  static parse(file: string, text: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const first = doc.errors[0];
    if (first) {
      const line = lines.linePos(first.pos[0]).line;
      throw new InputError(`not valid YAML: ${first.message.split('\n')[0]}`, file, line);
    }
    return new YamlSource(file, doc, lines);
  }

  get value(): unknown {
    try {
      return this.doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // yaml's guard against an alias bomb (aliases of aliases, expanding without end)
      if (/alias/i.test((err as Error).message)) throw new InputError('too many YAML aliases (*name) expand here: an alias bomb, or a file to write out in full', this.file);
      throw err;
    }
  }

  /** Line of the deepest node that exists along `path`. */
  lineOf(path: readonly PropertyKey[]): number {
    let node: unknown = this.doc.contents;
    let line = node && (node as Node).range ? this.lines.linePos((node as Node).range![0]).line : 1;
    for (const key of path) {
      if (!isCollection(node)) break;
      const next = node.get(typeof key === 'symbol' ? String(key) : key, true) as Node | undefined;
      if (!next) {
        // the key itself may exist with a null value; point at the pair
        break;
      }
      node = next;
      if (next.range) line = this.lines.linePos(next.range[0]).line;
    }
    return line;
  }

  /** Validates with a zod schema; the first problem becomes an InputError naming file:line: field. */
  validate<T extends z.ZodType>(schema: T, value: unknown = this.value, basePath: PropertyKey[] = []): z.infer<T> {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const issue = result.error.issues[0]!;
    const path = [...basePath, ...issue.path];
    if (issue.code === 'unrecognized_keys' && issue.keys[0]) path.push(issue.keys[0]);
    throw new InputError(describeIssue(issue), this.file, this.lineOf(path), formatPath(path) || undefined);
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `is required (${issue.expected})`;
  return issue.message;
}
