import * as OpenCC from 'opencc-js/t2cn';

// CJK Radicals Supplement characters that NFKC leaves alone but PDF text layers emit in place of
// ordinary characters (seen in the seed report's PDF: ⻔⻋⻰). Kangxi radicals (U+2F00..) are
// already folded by NFKC.
const RADICAL_SUPPLEMENT: Record<string, string> = {
  '⺁': '厂', '⺇': '几', '⺈': '刀', '⺋': '卩', '⺍': '小', '⺐': '兀', '⺒': '巳', '⺓': '幺',
  '⺔': '彐', '⺖': '心', '⺗': '心', '⺘': '手', '⺙': '攵', '⺛': '旡', '⺜': '日', '⺟': '母',
  '⺠': '民', '⺡': '水', '⺢': '水', '⺣': '火', '⺤': '爪', '⺦': '丬', '⺧': '牛', '⺨': '犬',
  '⺩': '王', '⺪': '疋', '⺫': '目', '⺬': '示', '⺭': '礻', '⺮': '竹', '⺯': '糸', '⺰': '纟',
  '⺲': '罒', '⺳': '网', '⺴': '网', '⺵': '网', '⺶': '羊', '⺷': '羊', '⺸': '羊', '⺹': '老',
  '⺺': '肀', '⺻': '聿', '⺼': '肉', '⺽': '臼', '⺾': '艹', '⺿': '艹', '⻀': '艹', '⻁': '虎',
  '⻂': '衣', '⻃': '覀', '⻄': '西', '⻅': '见', '⻆': '角', '⻇': '角', '⻈': '讠', '⻉': '贝',
  '⻊': '足', '⻋': '车', '⻌': '辶', '⻍': '辶', '⻎': '辶', '⻏': '阝', '⻐': '金', '⻑': '长',
  '⻒': '长', '⻓': '长', '⻔': '门', '⻕': '阜', '⻖': '阝', '⻗': '雨', '⻘': '青', '⻙': '韦',
  '⻚': '页', '⻛': '风', '⻜': '飞', '⻝': '食', '⻞': '食', '⻟': '食', '⻠': '饣', '⻡': '首',
  '⻢': '马', '⻣': '骨', '⻤': '鬼', '⻥': '鱼', '⻦': '鸟', '⻧': '卤', '⻨': '麦', '⻩': '黄',
  '⻪': '黾', '⻫': '齐', '⻬': '齐', '⻭': '齿', '⻮': '齿', '⻯': '龙', '⻰': '龙', '⻱': '龟',
  '⻲': '龟', '⻳': '龟',
};
const RADICAL_RE = /[\u2E80-\u2EF3]/g;

// built on first use: building its dictionary costs ~10 ms that commands which never normalise skip
let toSimplified: ((text: string) => string) | undefined;

// Han, CJK punctuation and full-width forms: spaces between two of these are layout, not meaning
// (PDF text layers and justified HTML put spaces between every character).
const CJK = '\\p{Script=Han}\\u3000-\\u303F\\uFF00-\\uFFEF';
const SPACE_IN_CJK = new RegExp(`(?<=[${CJK}])[ \\t\\f\\v\\u00A0\\u3000]+(?=[${CJK}])`, 'gu');
// A line break between two Han characters is a wrapped line (PDF text); after punctuation it
// ends a paragraph and is kept, so that snippets stay within their paragraph.
const BREAK_IN_HAN = /(?<=\p{Script=Han})[ \t\u3000]*\r?\n[ \t\u3000\r\n]*(?=\p{Script=Han})/gu;
const RUNS_OF_SPACE = /[ \t\f\v\u00A0\u2000-\u200B\u3000]+/g;
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g;

/**
 * The one normalisation that term matching, search and change detection share:
 * NFKC (full-width -> half-width, Kangxi radicals -> ordinary characters), CJK supplement
 * radicals, traditional -> simplified, zero-width characters dropped, whitespace removed inside
 * CJK runs and collapsed elsewhere.
 */
export function normalizeText(text: string): string {
  let s = text.normalize('NFKC').replace(ZERO_WIDTH, '');
  s = s.replace(RADICAL_RE, (c) => RADICAL_SUPPLEMENT[c] ?? c);
  s = (toSimplified ??= OpenCC.Converter({ from: 't', to: 'cn' }))(s);
  s = s.replace(BREAK_IN_HAN, '').replace(SPACE_IN_CJK, '');
  s = s.replace(RUNS_OF_SPACE, ' ');
  return s.replace(/ *\n[\s]*/g, '\n').trim();
}
