import { normalizeText } from '../terms/normalize.js';

/**
 * Text that changes on every visit without the posting changing: view counters, generated
 * timestamps, session tokens. Replaced by a placeholder before texts are compared, so that a
 * counter going from 123 to 124 is not a "change". Sites add their own in `ignore.patterns`.
 */
export const DEFAULT_TRIVIA: RegExp[] = [
  /(浏览|阅读|点击|访问|查看)(次数|量|数|人次)?\s*[:：]?\s*\d+\s*(次)?/g,
  /(已被|共)?(浏览|阅读|访问)\s*\d+\s*次/g,
  /(页面|本页|网页)?(生成|刷新|更新|访问)(时间|于)\s*[:：]?\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(\s*\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?/g,
  /(当前时间|今天是)\s*[:：]?\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(\s*(星期|周)[一二三四五六日天])?(\s*\d{1,2}:\d{2}(:\d{2})?)?/g,
  /\b(jsessionid|phpsessid|aspsessionid\w*|sessionid|sid|token|_t|timestamp)=[0-9a-z._-]{6,}/gi,
];

/** The text as compared for changes: normalised, with trivia blanked out. */
export function comparableText(text: string, extra: RegExp[] = []): string {
  let s = normalizeText(text);
  for (const re of [...DEFAULT_TRIVIA, ...extra]) s = s.replace(new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g'), '⟨…⟩');
  return s;
}
