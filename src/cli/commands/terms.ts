import { out, printJson, type CommonOptions } from '../common.js';
import { loadTerms } from '../term-option.js';
import { bold, dim } from '../format.js';

export function termsCommand(opts: CommonOptions & { terms?: string }): number {
  const { terms, file } = loadTerms(opts.terms);
  if (!opts.json) out(dim(`${terms.length} terms from ${file}`));
  for (const t of terms) {
    if (opts.json) printJson(t);
    else out(`${bold(t.term)}${t.gloss ? `  ${t.gloss}` : ''}${t.variants.length ? dim(`  also: ${t.variants.join(', ')}`) : ''}${t.tags.length ? dim(`  [${t.tags.join(', ')}]`) : ''}`);
  }
  return 0;
}
