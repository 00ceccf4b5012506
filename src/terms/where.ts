/**
 * Where a term was found, in one line: its sources, each attachment by its places where they are
 * known ("page, 名单.xls#Sheet1!B214, 名单.xls#Sheet1!C300, 申报表.doc"), at most `max` named.
 */
export function termWhere(t: { source?: string; places?: string[] }, max = 4): string | undefined {
  if (!t.places?.length) return t.source;
  const parts: string[] = [];
  for (const s of (t.source ?? 'page').split(', ')) {
    const file = s.startsWith('attachment: ') ? s.slice('attachment: '.length) : undefined;
    const at = file ? t.places.filter((p) => p.startsWith(`${file}#`)) : [];
    parts.push(...(at.length ? at : [file ?? s]));
  }
  return parts.slice(0, max).join(', ') + (parts.length > max ? ` and ${parts.length - max} more` : '');
}
