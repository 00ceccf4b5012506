import { InputError } from '../../config/errors.js';
import { wordDiff } from '../../detect/diff.js';
import { capturePair, capturesOf } from '../../store/captures.js';
import { openDb } from '../../store/db.js';
import { changedWithContext } from '../../text/context-lines.js';
import { existingDataDir, out, printJson, safe, type CommonOptions } from '../common.js';
import { bold, dim } from '../format.js';

export interface DiffOptions extends CommonOptions {
  from?: string;
  to?: string;
  full?: boolean;
}

const color = () => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;

/** `xjwatch diff <URL>`: what changed between two captures, word by word (Chinese words via Intl.Segmenter). */
export function diffCommand(url: string, opts: DiffOptions): number {
  const db = openDb(existingDataDir(opts));
  try {
    const all = capturesOf(db, url);
    if (all.length === 0) throw new InputError(`nothing captured for ${url}`);
    const pair = capturePair(all, { from: opts.from, to: opts.to });
    if ('bad' in pair) throw new InputError(`no capture "${pair.ref}" of this URL (it has ${all.length}; see \`xjwatch history\`)`, undefined, undefined, `--${pair.bad}`);
    const { from, to } = pair;
    const parts = wordDiff(from.text ?? '', to.text ?? '');
    if (opts.json) {
      const side = (c: typeof from) => ({ capture: c.n, at: c.at, sha256: c.body_sha256, title: c.title, ...(c.archive ? { thirdParty: { archive: c.archive, archivedAt: c.archived_at } } : {}) });
      printJson({ url, from: side(from), to: side(to), changed: parts.some((p) => p.type !== 'same'), parts });
      return 0;
    }
    out(bold(safe(url)));
    const tp = (c: typeof from) => (c.archive ? `  THIRD-PARTY: captured by the ${c.archive} on ${c.archived_at}, fetched from it by xjwatch at the time shown` : '');
    out(dim(`--- capture #${from.n}  ${from.at}  sha256:${from.body_sha256}${tp(from)}`));
    out(dim(`+++ capture #${to.n}  ${to.at}  sha256:${to.body_sha256}${tp(to)}`));
    if (from.id === to.id || !parts.some((p) => p.type !== 'same')) {
      out('(the extracted text is the same)');
      return 0;
    }
    const c = color();
    // render line by line, so that unchanged paragraphs can be left out
    const lines: { text: string; changed: boolean }[] = [{ text: '', changed: false }];
    for (const p of parts) {
      safe(p.text)
        .split('\n')
        .forEach((piece, i) => {
          if (i > 0) lines.push({ text: '', changed: false });
          if (!piece) return;
          const line = lines[lines.length - 1]!;
          if (p.type === 'same') line.text += piece;
          else {
            line.changed = true;
            line.text += p.type === 'added' ? (c ? `\x1b[32;4m${piece}\x1b[39;24m` : `{+${piece}+}`) : c ? `\x1b[31;9m${piece}\x1b[39;29m` : `[-${piece}-]`;
          }
        });
    }
    for (const l of opts.full ? lines : changedWithContext(lines, (x) => x.changed, { text: '…', changed: false })) out(l.text);
    return 0;
  } finally {
    db.close();
  }
}
