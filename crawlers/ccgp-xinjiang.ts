/**
 * 新疆政府采购网 (ccgp-xinjiang.gov.cn), run on the 政采云 / Zhengcaiyun platform: its notices are
 * listed and served by a JSON API, not by HTML pages (research notes §5). This file only says what
 * to ask and how to read the answers; the engine makes and records every request.
 *
 * From the research notes: the list is a POST of JSON to /portal/category with
 * {pageNo, pageSize: 15, categoryCode: "ZcyAnnouncement3001", districtCode: ["653100"], _t}; its answer
 * is result.data.{total, data[]} with articleId, title, publishDate (ms), author, districtName;
 * a notice is GET /portal/detail?articleId=<urlencoded>, result.data.content (HTML); people read it
 * at /luban/detail?parentId=&articleId=.
 *
 * NOT checked against the live site, inferred: the headers sent with the POST, that `_t` is the
 * time in ms, that the detail answer also carries title and publishDate, and how the API says a
 * notice is not there (here: HTTP 200 with no data and a message such as 文章不存在 — NOT_THERE
 * below; any other answer without the notice, 系统繁忙 among them, is the API failing, never a
 * removal, and an answer with data but no content is an error). The ZcyAnnouncement<code> form is
 * seen for 3001 only; the other category codes are assumed to take the same form.
 */
import type { CodeAnswer, CodeListing, CodePosting, CodeRequest } from '../src/config/site-code.js';

// Only request, readList and readPosting are exported: the engine refuses any other export.
const PAGE_SIZE = 15;
const LIST_PATH = '/portal/category';
const HUMAN_PATH = '/luban/detail';

/**
 * A list's URL is `/portal/category?categoryCode=…&districtCode=…` (a name for one category in one
 * district: the site itself has no such page), page n with `&pageNo=n`; a notice's URL is its
 * human page.
 */
export function request(url: string, now: Date): CodeRequest | undefined {
  const u = new URL(url);
  if (u.pathname === LIST_PATH) {
    const { categoryCode, districtCode, pageNo } = listParams(u);
    const body = { pageNo, pageSize: PAGE_SIZE, categoryCode, districtCode: [districtCode], _t: now.getTime() };
    return {
      url: `${u.origin}${LIST_PATH}`,
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json;charset=UTF-8', Accept: 'application/json, text/plain, */*', Referer: `${u.origin}/` },
    };
  }
  const articleId = u.pathname === HUMAN_PATH ? u.searchParams.get('articleId') : null;
  if (articleId) return { url: `${u.origin}/portal/detail?articleId=${encodeURIComponent(articleId)}`, method: 'GET', headers: { Accept: 'application/json, text/plain, */*', Referer: url } };
  return undefined;
}

export function readList(answer: CodeAnswer): CodeListing {
  const u = new URL(answer.url);
  if (u.pathname !== LIST_PATH) throw new Error(`not a list of the notice API: ${answer.url}`);
  const json = parseJson(answer.text, 'list');
  const data = field(field(json, 'result'), 'data');
  const total = field(data, 'total');
  const items = field(data, 'data');
  if (typeof total !== 'number' || !Array.isArray(items)) throw new Error(`the list answer has no result.data.total and result.data.data${apiMessage(json)}`);
  const postings: CodeListing['postings'] = [];
  for (const item of items) {
    const id = field(item, 'articleId');
    if (typeof id !== 'string' || !id) continue;
    const title = field(item, 'title');
    postings.push({ url: humanUrl(u.origin, id), title: typeof title === 'string' ? title.trim() : '', published: shanghaiDate(field(item, 'publishDate')) });
  }
  const { pageNo } = listParams(u);
  const more = items.length > 0 && pageNo * PAGE_SIZE < total;
  if (!more) return { postings, total };
  const next = new URL(answer.url);
  next.searchParams.set('pageNo', String(pageNo + 1));
  return { postings, total, next: next.href };
}

/** How the API says a notice does not exist (inferred from the platform's family: NOT checked live). */
const NOT_THERE = /不存在|已删除|已被删除|已撤销|已撤回|not (?:be )?found|not exist/i;

export function readPosting(answer: CodeAnswer): CodePosting | undefined {
  if (new URL(answer.url).pathname !== HUMAN_PATH) return undefined;
  const json = parseJson(answer.text, 'notice');
  const data = field(field(json, 'result'), 'data');
  if (field(json, 'success') === false || data === null || data === undefined) {
    const said = apiMessage(json).replace(/^: /, '');
    // only the API saying the notice is not there is a removal; "系统繁忙", a rate limit or a bare
    // success: false is the API failing, which must never become a suspected deletion
    if (NOT_THERE.test(said)) return { notFound: said };
    throw new Error(`the notice answer has no notice and does not say it is gone (${said || 'no message'}): not read as a removal`);
  }
  // a notice without its content is an API that changed, not a notice removed: not read at all
  const content = field(data, 'content');
  if (typeof content !== 'string') throw new Error('the notice answer has result.data but no result.data.content');
  const title = field(data, 'title');
  return { title: typeof title === 'string' ? title.trim() : '', html: content, published: shanghaiDate(field(data, 'publishDate')) };
}

function humanUrl(origin: string, articleId: string): string {
  return `${origin}${HUMAN_PATH}?parentId=&articleId=${encodeURIComponent(articleId)}`;
}

/** A publishDate in milliseconds as the date on the platform's clock (Asia/Shanghai). */
function shanghaiDate(ms: unknown): string | undefined {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) return undefined;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return undefined;
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

function listParams(u: URL): { categoryCode: string; districtCode: string; pageNo: number } {
  const categoryCode = u.searchParams.get('categoryCode');
  const districtCode = u.searchParams.get('districtCode');
  if (!categoryCode || !districtCode) throw new Error(`a list URL needs categoryCode and districtCode: ${u.href}`);
  const pageNo = Number(u.searchParams.get('pageNo') ?? '1');
  if (!Number.isInteger(pageNo) || pageNo < 1) throw new Error(`pageNo must be a whole number from 1: ${u.href}`);
  return { categoryCode, districtCode, pageNo };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // the WAF's page, or anything else that is not the API speaking: not a list, not a notice
    throw new Error(`the ${what} answer is not JSON (starts ${JSON.stringify(text.slice(0, 60))})`);
  }
}

function field(v: unknown, name: string): unknown {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[name] : undefined;
}

/** What the API says about itself (its error or message), for a note. */
function apiMessage(json: unknown): string {
  for (const k of ['error', 'message', 'msg']) {
    const m = field(json, k);
    if (typeof m === 'string' && m.trim()) return `: ${m.trim().slice(0, 200)}`;
  }
  return '';
}
