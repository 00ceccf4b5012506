import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { makeCorpus, type FixturePosting } from './corpus.js';
import { escapeHtml, FixtureSite, send, type Req } from './site.js';

/** One notice's place on the platform. */
interface Notice {
  articleId: string;
  category: string;
  district: string;
  districtName: string;
  publishMs: number;
}

const DISTRICTS: Record<string, string> = { '653100': '喀什地区', '653200': '和田地区', '654000': '伊犁哈萨克自治州', '659900': '自治区本级' };
const KIND: Record<string, string> = { ZcyAnnouncement3001: '公开招标公告', ZcyAnnouncement10016: '采购意向公开', ZcyAnnouncement3004: '中标（成交）结果公告', ZcyAnnouncement3010: '合同公告' };
const PROJECTS = ['办公设备采购项目', '校园食堂食材采购项目', '乡村道路维修工程', '职业技能培训服务项目', '安防监控设备采购项目', '农业机械采购项目', '物业管理服务项目', '供暖设施改造工程'];

/**
 * An imitation of the 政采云 / Zhengcaiyun procurement platform as the research notes describe it
 * (§5): notices listed by a POST of JSON to /portal/category (pageNo, pageSize, categoryCode,
 * districtCode[]), answered as result.data.{total, data[]}; a notice's JSON at
 * /portal/detail?articleId=… with its HTML in result.data.content; an unknown or removed notice
 * answered with HTTP 200 and an error in JSON; a WAF's acw_tc cookie on every answer that came
 * without it. Two lists have notices: 公开招标 in Kashgar (three pages of 15) and 采购意向 in Hotan.
 */
export class ZcyProcurementSite extends FixtureSite {
  readonly name: string = 'procurement';
  readonly title: string = '新疆政府采购网';
  private readonly notices = new Map<number, Notice>();
  /** the POST bodies the list API received, parsed */
  readonly listRequests: Record<string, unknown>[] = [];
  /** the acw_tc values handed out */
  readonly cookiesSet: string[] = [];
  /** notices still listed whose detail answers "not there" (a list that lags behind a removal) */
  readonly detailMissing = new Set<number>();

  constructor() {
    super();
    this.gzip = false;
    const tenders = makeCorpus({ seed: 653100, count: 38, firstId: 5001, county: '喀什地区', newest: '2025-06-13', termShare: 0.3, attachmentShare: 0 });
    const intents = makeCorpus({ seed: 653200, count: 6, firstId: 6001, county: '和田地区', newest: '2025-05-20', termShare: 0.5, attachmentShare: 0 });
    for (const [list, category, district] of [[tenders, 'ZcyAnnouncement3001', '653100'], [intents, 'ZcyAnnouncement10016', '653200']] as const) {
      list.forEach((p, i) => {
        p.title = `${DISTRICTS[district]}${PROJECTS[i % PROJECTS.length]}${KIND[category]}`;
        this.registerNotice(p, category, district);
      });
      this.postings.push(...list);
    }
  }

  /** Puts a posting (one `add`ed) in a category's list of a district. */
  registerNotice(p: FixturePosting, category: string, district: string): void {
    // published just after midnight on Beijing time: the day before in UTC
    this.notices.set(p.id, { articleId: articleIdOf(p.id), category, district, districtName: DISTRICTS[district] ?? district, publishMs: Date.parse(`${p.date}T00:30:00+08:00`) });
  }

  listUrl(category = 'ZcyAnnouncement3001', district = '653100'): string {
    return `${this.base}/portal/category?categoryCode=${category}&districtCode=${district}`;
  }

  postingUrl(p: FixturePosting): string {
    return `${this.base}/luban/detail?parentId=&articleId=${encodeURIComponent(this.notices.get(p.id)!.articleId)}`;
  }

  notice(p: FixturePosting): Notice {
    return this.notices.get(p.id)!;
  }

  /** postings of one list, newest first, as the API lists them */
  inList(category: string, district: string): FixturePosting[] {
    return this.listed().filter((p) => this.notices.get(p.id)?.category === category && this.notices.get(p.id)?.district === district);
  }

  override siteFileExtras(): string {
    return ['code: ccgp-xinjiang', 'fetch: http', 'lists:', `  - url: ${this.listUrl()}`, `  - url: ${this.listUrl('ZcyAnnouncement10016', '653200')}`].join('\n');
  }

  handle(req: Req, res: ServerResponse): void {
    const headers: Record<string, string> = {};
    if (!/\bacw_tc=/.test(String(req.headers.cookie ?? ''))) {
      const tc = createHash('sha1').update(`${Date.now()}-${this.cookiesSet.length}`).digest('hex');
      this.cookiesSet.push(tc);
      headers['Set-Cookie'] = `acw_tc=${tc};path=/;HttpOnly;Max-Age=1800`;
    }
    if (req.path === '/portal/category' && req.method === 'POST') return this.sendList(req, res, headers);
    if (req.path === '/portal/detail' && req.method === 'GET') return this.sendDetail(req.query.get('articleId') ?? '', res, headers);
    if (req.path === '/' || req.path === '/luban/detail') {
      // the platform's pages are a script's shell; what they show comes from the API
      return send(res, 200, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${this.title}</title></head><body><div id="app"></div><script src="/luban/static/app.js"></script></body></html>`, { ...headers, 'Content-Type': 'text/html; charset=utf-8' });
    }
    send(res, 404, '{"success":false,"error":"Not Found"}', { ...headers, 'Content-Type': 'application/json;charset=UTF-8' });
  }

  private sendList(req: Req, res: ServerResponse, headers: Record<string, string>): void {
    let q: Record<string, unknown>;
    try {
      q = JSON.parse((req.body ?? Buffer.alloc(0)).toString('utf8')) as Record<string, unknown>;
    } catch {
      return this.json(res, headers, { success: false, result: null, error: '参数错误' });
    }
    this.listRequests.push(q);
    const district = Array.isArray(q.districtCode) ? String(q.districtCode[0]) : '';
    const pageNo = Number(q.pageNo);
    const pageSize = Number(q.pageSize);
    if (!/^application\/json/i.test(String(req.headers['content-type'] ?? '')) || !Number.isInteger(pageNo) || pageNo < 1 || !Number.isInteger(pageSize) || pageSize < 1 || typeof q.categoryCode !== 'string') {
      return this.json(res, headers, { success: false, result: null, error: '参数错误' });
    }
    const all = this.inList(q.categoryCode, district);
    const items = all.slice((pageNo - 1) * pageSize, pageNo * pageSize).map((p) => {
      const n = this.notices.get(p.id)!;
      return { articleId: n.articleId, title: p.title, publishDate: n.publishMs, author: p.source, districtName: n.districtName };
    });
    this.json(res, headers, { success: true, result: { data: { total: all.length, data: items } }, error: null });
  }

  private sendDetail(articleId: string, res: ServerResponse, headers: Record<string, string>): void {
    const p = this.postings.find((x) => this.notices.get(x.id)?.articleId === articleId);
    if (!p || this.gone.has(p.id) || this.detailMissing.has(p.id)) return this.json(res, headers, { success: false, result: null, error: '文章不存在', code: 'ARTICLE_NOT_FOUND' });
    const n = this.notices.get(p.id)!;
    const content = `<div style="text-align:center"><h3>${escapeHtml(p.title)}</h3></div>
<p>项目编号：XJZC-${p.id}</p>
${p.paragraphs.map((t) => `<p style="text-indent:2em">${escapeHtml(t)}</p>`).join('\n')}
<p>采购人：${escapeHtml(p.source)}</p>`;
    this.json(res, headers, { success: true, result: { data: { articleId, title: p.title, content, publishDate: n.publishMs, author: p.source, districtName: n.districtName } }, error: null });
  }

  private json(res: ServerResponse, headers: Record<string, string>, body: unknown): void {
    // errors too come with HTTP 200: the API speaks in its JSON, not in its status
    send(res, 200, JSON.stringify(body), { ...headers, 'Content-Type': 'application/json;charset=UTF-8' });
  }
}

/** Made-up article ids, with characters that must be URL-encoded (+, /, =): the real ids' form is not known. */
function articleIdOf(id: number): string {
  return `${Buffer.from(`zcy-${id}`).toString('base64').replace(/=+$/, '')}+/${id}==`;
}
