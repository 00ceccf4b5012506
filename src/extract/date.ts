export type DateSource = 'selector' | 'meta' | 'label' | 'text' | 'url';

export interface FoundDate {
  date: string;
  source: DateSource;
}

// ` ?` rather than `\s*`: texts are squeezed to single spaces first (squeeze), which keeps these
// patterns linear on hostile runs of white space
const SEP_DATE = String.raw`(\d{4}) ?(?:年|[-/.]) ?(\d{1,2}) ?(?:月|[-/.]) ?(\d{1,2}) ?日?`;
/**
 * Labels of the date a reader sees, strongest first: when the page says it was published, then
 * when the document was written (成文日期, the info table of 政府信息公开 pages), then bare
 * 日期/时间; 更新时间 (when the page was last regenerated) last.
 */
const LABEL_RANKS: string[][] = [
  ['发布日期', '发布时间', '发表日期', '发表时间', '公开日期', '公布日期'],
  ['成文日期', '发文日期', '印发日期'],
  ['来源日期', '日期', '时间'],
  ['更新时间', '更新日期'],
];
const LABELS = LABEL_RANKS.flat();
const LABELLED = new RegExp(String.raw`(${LABELS.join('|')}) ?[:：]? ?` + SEP_DATE);
/** Dates are looked for in this much text at most: they sit at the top of a posting. */
const SEARCH_CHARS = 20_000;

function squeeze(text: string): string {
  return text.slice(0, SEARCH_CHARS * 2).replace(/\s+/g, ' ').slice(0, SEARCH_CHARS);
}
const ANY_DATE = new RegExp(SEP_DATE, 'g');

/** A calendar-valid date as YYYY-MM-DD, or undefined. Years outside 1990..next year are noise. */
export function makeDate(y: number, m: number, d: number): string | undefined {
  const maxYear = new Date().getUTCFullYear() + 1;
  if (y < 1990 || y > maxYear || m < 1 || m > 12 || d < 1 || d > 31) return undefined;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCMonth() !== m - 1) return undefined;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The first date written in `text` in any of the forms 2019年03月21日, 2019-03-21, 2019/3/21, 2019.03.21. */
export function parseDate(text: string): string | undefined {
  for (const m of squeeze(text).matchAll(ANY_DATE)) {
    const d = makeDate(Number(m[1]), Number(m[2]), Number(m[3]));
    if (d) return d;
  }
  return undefined;
}

/**
 * The date after the strongest label (发布日期 before 成文日期 before 日期 before 更新时间), the
 * first such on the page; with the label it came from.
 */
export function labelledDateWith(text: string): { date: string; label: string } | undefined {
  const re = new RegExp(LABELLED.source, 'g');
  let best: { date: string; label: string; rank: number } | undefined;
  for (const m of squeeze(text).matchAll(re)) {
    const d = makeDate(Number(m[2]), Number(m[3]), Number(m[4]));
    if (!d) continue;
    const rank = LABEL_RANKS.findIndex((r) => r.includes(m[1]!));
    if (!best || rank < best.rank) best = { date: d, label: m[1]!, rank };
    if (rank === 0) break;
  }
  return best && { date: best.date, label: best.label };
}

/** A date after a label such as 发布时间： */
export function labelledDate(text: string): string | undefined {
  return labelledDateWith(text)?.date;
}

/** Dates that CMSes put in URLs: TRS t20190321_, /2018/11/09/, xjcms /20181123/i123.html, /art/2019/3/21/. */
export function dateFromUrl(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const patterns: RegExp[] = [
    /\/t(\d{4})(\d{2})(\d{2})_\d+/,
    /\/(\d{4})\/(\d{1,2})\/(\d{1,2})\//,
    /\/(\d{4})-(\d{2})\/(\d{2})\//,
    /\/(\d{4})(\d{2})(\d{2})\/[a-z]?\d+\.s?html?$/i,
    /\/(\d{4})(\d{2})(\d{2})\//,
  ];
  for (const re of patterns) {
    const m = re.exec(path);
    if (!m) continue;
    const d = makeDate(Number(m[1]), Number(m[2]), Number(m[3]));
    if (d) return d;
  }
  return undefined;
}
