import { describe, expect, it } from 'vitest';
import { parseHtml } from '../../src/extract/html.js';
import { extractListing, isPostingUrl } from '../../src/extract/listing.js';
import { extractPosting } from '../../src/extract/posting.js';
import { findAttachments } from '../../src/extract/attachments.js';
import { AspNetSite } from '../../src/demo/sites/aspnet.js';
import { CountyVsbSite } from '../../src/demo/sites/county-vsb.js';
import { PrefectureTrsSite } from '../../src/demo/sites/prefecture-trs.js';
import { RegionalDatePathSite } from '../../src/demo/sites/regional-datepath.js';

const county = Object.assign(new CountyVsbSite(), { base: 'http://county.test' });
const prefecture = Object.assign(new PrefectureTrsSite(), { base: 'http://pref.test' });
const regional = Object.assign(new RegionalDatePathSite(), { base: 'http://region.test' });
const aspnet = Object.assign(new AspNetSite(), { base: 'http://asp.test' });

describe('posting extraction without selectors (heuristics)', () => {
  it.each([
    ['VSB county', county, (p: typeof county.postings[0]) => county.postingHtml(p), 'label'],
    ['TRS prefecture', prefecture, (p: typeof prefecture.postings[0]) => prefecture.postingHtml(p), 'label'],
    ['date-path regional', regional, (p: typeof regional.postings[0]) => regional.postingHtml(p), 'label'],
    ['ASP.NET without <h1>', aspnet, (p: typeof aspnet.postings[0]) => aspnet.postingHtml(p), 'label'],
  ] as const)('%s: title, date and body text', (_name, site, html, dateSource) => {
    for (const p of site.postings.slice(0, 12)) {
      const ex = extractPosting(parseHtml(html(p as never)), site.postingUrl(p as never), {}, site.title);
      expect(ex.title).toBe(p.title);
      expect(ex.published).toBe(p.date);
      expect(ex.dateSource).toBe(dateSource);
      for (const para of p.paragraphs) expect(ex.text.replace(/\s/g, '')).toContain(para.replace(/\s/g, ''));
    }
  });

  it('keeps sidebars and related-article lists out of the body text', () => {
    const neutral = county.postings.find((p) => p.terms.length === 0)!;
    const html = county.postingHtml(neutral);
    expect(html).toContain('热点信息');
    const ex = extractPosting(parseHtml(html), county.postingUrl(neutral));
    expect(ex.text).not.toContain('热点信息');
    expect(ex.text).not.toMatch(/卫星工厂|教培中心|扶贫车间/);
  });

  it('finds VSB attachments behind download.jsp and TRS attachments beside the page', () => {
    const p = county.postings.find((x) => x.attachments.length)!;
    const ex = extractPosting(parseHtml(county.postingHtml(p)), county.postingUrl(p));
    expect(ex.attachments).toEqual([{ url: `http://county.test/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=${p.id}&wbfileid=1`, name: p.attachments[0]!.name, type: p.attachments[0]!.kind }]);
    const q = prefecture.postings.find((x) => x.attachments.length)!;
    const ex2 = extractPosting(parseHtml(prefecture.postingHtml(q)), prefecture.postingUrl(q));
    expect(ex2.attachments).toHaveLength(1);
    expect(ex2.attachments[0]!.url).toMatch(/\/xxgk\/tzgg\/\d{6}\/P0\d+\.(pdf|xls|doc)$/);
  });

  it('uses site selectors when given', () => {
    const p = county.postings[0]!;
    const ex = extractPosting(parseHtml(county.postingHtml(p)), county.postingUrl(p), { title: 'form h1', body: '#vsb_content', date: '.info' });
    expect(ex).toMatchObject({ title: p.title, titleSource: 'selector', published: p.date, dateSource: 'selector', bodySource: 'selector' });
  });

  it('records what is missing on a page without title, date or text', () => {
    const ex = extractPosting(parseHtml('<html><body><div>x</div></body></html>'), 'http://a.test/info/1/2.htm');
    expect(ex.problems).toEqual(['no title found', 'little or no body text', 'no publication date found']);
  });
});

describe('list pages', () => {
  it('recognises posting URLs of the CMS families', () => {
    expect(isPostingUrl('http://www.xjdrc.gov.cn/info/11460/22308.htm')).toBe(true);
    expect(isPostingUrl('http://a.gov.cn/xxgk/201903/t20190321_12345.html')).toBe(true);
    expect(isPostingUrl('http://www.xinjiang.gov.cn/2018/11/09/152523.html')).toBe(true);
    expect(isPostingUrl('http://www.kashi.gov.cn/Government/PublicInfoShow.aspx?ID=2851')).toBe(true);
    expect(isPostingUrl('http://www.xj-agri.gov.cn/tpgj/43407.jhtml')).toBe(true);
    expect(isPostingUrl('https://www.hts.gov.cn/weininfuwu/show.php?itemid=601')).toBe(true);
    expect(isPostingUrl('http://a.gov.cn/xxgk/tzgg/index_2.html')).toBe(false);
  });

  it('reads a TRS pager script into every list page', () => {
    const html = `<ul><li><a href="./201903/t20190321_1.html">x</a></li></ul><script>createPageHTML(4, 0, "index", "html");</script>`;
    const l = extractListing(parseHtml(html), 'http://a.test/xxgk/tzgg/index.html', {});
    expect(l.pages).toEqual(['http://a.test/xxgk/tzgg/index_1.html', 'http://a.test/xxgk/tzgg/index_2.html', 'http://a.test/xxgk/tzgg/index_3.html']);
    expect(l.postings.map((p) => p.url)).toEqual(['http://a.test/xxgk/tzgg/201903/t20190321_1.html']);
    expect(l.method).toBe('url-shape');
  });

  it('follows 下一页 and keeps pager links out of the postings; --follow picks postings by URL', () => {
    const html = `<a href="/info/1103/1.htm">通知</a><a href="/about.htm">关于我们</a><a href="index/7.htm">下一页</a><a href="http://other.test/info/1/2.htm">外站</a>`;
    const l = extractListing(parseHtml(html), 'http://a.test/xxgk/tzgg/index.htm', { follow: '/info/' });
    expect(l.pages).toEqual(['http://a.test/xxgk/tzgg/index/7.htm']);
    expect(l.postings.map((p) => p.url)).toEqual(['http://a.test/info/1103/1.htm']);
  });

  it('takes posting links by CSS selector or /regex/ from the site file', () => {
    const html = `<ul class="list"><li><a href="/a/1.htm">一</a></li></ul><div class="side"><a href="/a/2.htm">二</a></div>`;
    expect(extractListing(parseHtml(html), 'http://a.test/', { links: 'ul.list a' }).postings.map((p) => p.url)).toEqual(['http://a.test/a/1.htm']);
    expect(extractListing(parseHtml(html), 'http://a.test/', { links: '/\\/a\\/2\\.htm$/' }).postings.map((p) => p.url)).toEqual(['http://a.test/a/2.htm']);
  });
});

describe('attachments', () => {
  it('names attachments as the page shows them', () => {
    const found = findAttachments([
      { url: 'http://a.test/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1&wbfileid=2', text: '附件【教转人员名单.xls】' },
      { url: 'http://a.test/Files/2018/1223/%E5%90%8D%E5%8D%95.xls', text: '点击下载' },
      { url: 'http://a.test/info/1/2.htm', text: '下一篇' },
      // labelled 附件 whatever the address says
      { url: 'http://a.test/info/1/fj3.htm', text: '附件2：转移就业人员花名册' },
      { url: 'http://a.test/getfile?id=7', text: '【附件】申报表' },
      // 附件 elsewhere in a link's text is not a label
      { url: 'http://a.test/xxgk/fjxz.htm', text: '常用附件下载' },
    ]);
    expect(found.map((a) => [a.name, a.type])).toEqual([
      ['教转人员名单.xls', 'xls'],
      ['名单.xls', 'xls'],
      ['转移就业人员花名册', undefined],
      ['申报表', undefined],
    ]);
  });
});
