/** One tracked term as a term file declares it. */
export interface Term {
  term: string;
  gloss?: string;
  variants: string[];
  tags: string[];
}

/** How often one term (counting its variants) occurs in one text, with a snippet around the first. */
export interface TermHit {
  term: string;
  count: number;
  snippet: string;
  /** which forms matched, e.g. {"教育培训中心": 2} */
  forms: Record<string, number>;
  /** where it was found: "page", or "attachment:<file name>" */
  source?: string;
  /**
   * where in an attachment, in order of appearance (at most MAX_PLACES): "page=3", "paragraph=12",
   * "Sheet1!B214" — as after `#` in "名单.xls#Sheet1!B214"; the snippet is at the first
   */
  places?: string[];
}
