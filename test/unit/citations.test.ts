import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveLink } from '../../src/extract/archive-links.js';
import { extractCitations, type Citation } from '../../src/extract/citations.js';
import { splitFootnotes } from '../../src/extract/footnotes.js';
import { reportHtmlText } from '../../src/extract/report-html.js';
import { findUrls } from '../../src/extract/url-find.js';
import { continuesUrl } from '../../src/extract/url-rejoin.js';
import { ROOT } from '../helpers/cli.js';

/**
 * The citation reader, on excerpts of the seed report (Zenz, "Beyond the Camps", CECC testimony
 * 2019) as pdftotext left it: words separated by tabs, a line of tabs above each page's
 * footnotes, URLs cut at line ends, "or archive.is/…" pairs, Wayback wrappers.
 */
const T = '\t';
const RULE = T.repeat(56);
const page = (body: string[], notes: string[]) => [...body, '', RULE, ...notes, ' next page starts here.'].join('\n');
const byUrl = (cs: Citation[], url: string) => cs.find((c) => c.url === url);

describe('URLs cut by a line end', () => {
  it('are rejoined: after a dot, inside an extension, after a hyphen, inside a query value, in a percent-encoded name', () => {
    const text = page(
      [`southern${T}Xinjiang.18${T}Another${T}report`],
      [
        `18${T}Yet${T}another${T}spelling${T}is职业技能教培中心,${T}e.g.${T}in${T}`,
        `https://web.archive.org/web/20180813115300/http://www.kashi.gov.cn/Government/PublicInfoShow.`,
        `aspx?ID=2851${T}`,
        `19${T}`,
        `http://www.xjlpx.gov.cn/nzcms_nzweb/nzcms_up/attached/file/20190411/20190411130965606560.p`,
        `df${T}(document${T}removed${T}but${T}available${T}from${T}the${T}author)${T}`,
        `20${T}https://web.archive.org/web/20190711210826/http://www.gov.cn/xinwen/2018-`,
        `01/24/content_5260106.htm${T}`,
        `21${T}https://web.archive.org/web/20180302231400/https://www.xjht.gov.cn/article/show.php?itemid=264`,
        `420.${T}Overall,${T}compare${T}also`,
        `22${T}`,
        `http://www.xjzp.gov.cn/Files/2018/1223/%E5%96%80%E4%BB%80%E5%9C%B0%E5%8C%BA%E6`,
        `%B3%BD%E6%99%AE%E5%8E%BF2018%E5%B9%B4.xls${T}`,
      ],
    );
    const urls = extractCitations(text).citations.map((c) => c.url);
    expect(urls).toEqual([
      'http://www.kashi.gov.cn/Government/PublicInfoShow.aspx?ID=2851',
      'http://www.xjlpx.gov.cn/nzcms_nzweb/nzcms_up/attached/file/20190411/20190411130965606560.pdf',
      'http://www.gov.cn/xinwen/2018-01/24/content_5260106.htm',
      'https://www.xjht.gov.cn/article/show.php?itemid=264420',
      'http://www.xjzp.gov.cn/Files/2018/1223/%E5%96%80%E4%BB%80%E5%9C%B0%E5%8C%BA%E6%B3%BD%E6%99%AE%E5%8E%BF2018%E5%B9%B4.xls',
    ]);
  });

  it('are not joined to the word, the footnote or the sentence that follows a whole URL', () => {
    expect(continuesUrl(`14${T}https://www.xjawt.gov.cn/zwgk/zdxxqtzs/tpgjzxd/20190111/i133466.html${T}`, `or${T}http://archive.is/G0Uii`)).toBe(false);
    expect(continuesUrl(`http://archive.is/6WhOU.${T}`, `Local${T}level${T}mention`)).toBe(false);
    expect(continuesUrl(`3${T}https://new.qq.com/omn/20190228/20190228A01BNW00${T}`, ` internment${T}campaign`)).toBe(false);
    expect(continuesUrl(`http://www.xjakt.gov.cn/wcm.files/upload/GKfpb/201807/20180731115332752.xls${T}`, `.${T}Download${T}page`)).toBe(false);
    expect(continuesUrl(`http://www.xjbs.com.cn/news/2018-11/09/cms2117045article.shtml`, `newly-baked${T}workers`)).toBe(false);
    expect(continuesUrl(`see${T}the${T}notice${T}`, `2018${T}figures`)).toBe(false);
    // and joined where they should be
    expect(continuesUrl(`https://www.wsj.com/articles/western-companies-get-tangled-in-chinas-muslim-clampdown-`, `11558017472${T}`)).toBe(true);
    expect(continuesUrl(`https://web.archive.org/web/20190706211451/http://www.ps.gov.cn/Upload/main/InfoPublicity/Pub`, `licInformation/File/2018/12/25/201812252040577920.xlsx.${T}Download`)).toBe(true);
  });

  it('across a page: a URL that ends one page\'s footnotes goes on in the next page\'s', () => {
    const text = [
      `households.74${T}One${T}county`,
      RULE,
      `74${T}`,
      `http://www.xjzp.gov.cn/Files/2018/1223/%E5%96%80%E4%BB%80%E5%9C%B0%E5%8C%BA%E6`,
      ` One${T}county${T}even${T}refers${T}to${T}this${T}scheme${T}as${T}the${T}"nurseries${T}plus${T}satellite${T}factory${T}model".75${T}`,
      RULE,
      `%B3%BD%E6%99%AE%E5%8E%BF2018.xls${T}`,
      `75${T}http://archive.fo/1X5pU${T}`,
      ` and so on.`,
    ].join('\n');
    const r = extractCitations(text);
    expect(r.citations.map((c) => [c.url, c.footnotes])).toEqual([['http://www.xjzp.gov.cn/Files/2018/1223/%E5%96%80%E4%BB%80%E5%9C%B0%E5%8C%BA%E6%B3%BD%E6%99%AE%E5%8E%BF2018.xls', [74]]]);
    expect(r.archiveOnly).toEqual([expect.objectContaining({ archive: 'http://archive.fo/1X5pU', footnote: 75 })]);
  });
});

describe('archive links', () => {
  it('"A or archive.is/x" gives A with its archived copy; a Wayback capture names its page and timestamp; a Save Page Now link names its page only', () => {
    const text = page(
      [`work.27${T}Another${T}line.41`],
      [
        `27${T}http://www.xj-agri.gov.cn/fslj/43124.jhtml${T}or${T}http://archive.is/tn41E${T}or${T}`,
        `https://web.archive.org/save/http://www.xj-agri.gov.cn/fslj/43124.jhtml${T}`,
        `41${T}http://www.gov.cn/xinwen/2017-12/03/content_5244214.htm${T}or${T}`,
        `https://web.archive.org/web/20190606213945/http://www.gov.cn/xinwen/2017-`,
        `12/03/content_5244214.htm${T}`,
      ],
    );
    const cs = extractCitations(text).citations;
    expect(cs).toHaveLength(2);
    expect(byUrl(cs, 'http://www.xj-agri.gov.cn/fslj/43124.jhtml')!.archived).toEqual(['http://archive.is/tn41E']);
    expect(byUrl(cs, 'http://www.gov.cn/xinwen/2017-12/03/content_5244214.htm')!.archived).toEqual(['https://web.archive.org/web/20190606213945/http://www.gov.cn/xinwen/2017-12/03/content_5244214.htm']);
  });

  it('an archive link cited alone counts for the page the report pairs it with elsewhere; one never paired is reported, not guessed', () => {
    const text = [
      page(
        [`citizen.12${T}Then.14`],
        [`12${T}http://archive.is/G0Uii${T}`, `14${T}https://www.xjawt.gov.cn/zwgk/zdxxqtzs/tpgjzxd/20190111/i133466.html${T}`, `or${T}http://archive.is/G0Uii${T}`],
      ),
      page([`And${T}then.38`], [`38${T}http://archive.is/1qf0a Born${T}again${T}terminology${T}also${T}found${T}here:${T}http://archive.is/XZclS${T}`]),
    ].join('\n');
    const r = extractCitations(text);
    const xjawt = byUrl(r.citations, 'https://www.xjawt.gov.cn/zwgk/zdxxqtzs/tpgjzxd/20190111/i133466.html')!;
    expect(xjawt.footnotes).toEqual([12, 14]);
    expect(xjawt.context.find((c) => c.footnote === 12)!.via).toBe('http://archive.is/G0Uii');
    expect(r.archiveOnly.map((a) => [a.footnote, a.archive])).toEqual([
      [38, 'http://archive.is/1qf0a'],
      [38, 'http://archive.is/XZclS'],
    ]);
  });

  it('tells the archives\' forms apart', () => {
    expect(archiveLink('https://web.archive.org/web/2018*/https://www.hts.gov.cn/weininfuwu/show.php?itemid=601')).toEqual({ kind: 'capture', original: 'https://www.hts.gov.cn/weininfuwu/show.php?itemid=601' });
    expect(archiveLink('https://web.archive.org/web/20190101000000id_/http:/www.gov.cn/a.htm')).toEqual({ kind: 'capture', original: 'http://www.gov.cn/a.htm' });
    expect(archiveLink('http://archive.ph/2019.05.24-105429/http://www.xjdrc.gov.cn/info/9923/23516.htm')).toEqual({ kind: 'capture', original: 'http://www.xjdrc.gov.cn/info/9923/23516.htm' });
    expect(archiveLink('http://archive.today/MRBYL')).toEqual({ kind: 'opaque' });
    expect(archiveLink('https://archive.org/details/something')).toBeUndefined();
    expect(archiveLink('http://www.xjdrc.gov.cn/info/11460/22308.htm')).toBeUndefined();
  });
});

describe('footnotes and the sentences citing them', () => {
  const text = [
    page(
      [
        `In${T}all${T}this,${T}the${T}central${T}government${T}is${T}putting${T}special${T}attention${T}to${T}winning${T}the${T}war${T}against${T}poverty${T}in${T}`,
        `southern${T}Xinjiang.1${T}Another${T}report${T}states${T}that${T}poverty${T}alleviation${T}is${T}commensurate${T}with${T}a${T}"military${T}command".${T}2${T}`,
      ],
      [
        `1${T}http://www.xjrs.com.cn/zwgk/xwdt/xjyw/201903/t8a4ac70d69b93a1c0169be4c80b300c0.html${T}or${T}`,
        `http://archive.is/MRBYL${T}`,
        `2${T}http://f.china.com.cn/2018-02/07/content_50442241.htm${T}or${T}http://archive.is/oVSbm${T}`,
      ],
    ),
    page(
      [`In${T}Chinese,${T}VTICs${T}are${T}often${T}abbreviated${T}as${T}"Education${T}Training${T}Centers"${T}(教培中⼼).${T}17${T}`],
      [
        `17${T}http://www.alt.gov.cn/zwxx/001002/20190321/7f49da54-0cb5-47ad-b486-d07bb4060a8a.html${T}or${T}`,
        `http://archive.is/QPael.${T}Compare${T}`,
        `http://www.scio.gov.cn/ztk/dtzt/39912/40016/40030/Document/1649854/1649854.htm${T}or${T}`,
        `http://archive.is/b5j3L${T}`,
      ],
    ),
    page(
      [`Similarly,${T}Lop${T}County${T}expected${T}to${T}increase${T}employment${T}from${T}2,630${T}in${T}mid-2018${T}to${T}20,000${T}in${T}2020.64${T}The${T}scalability`],
      [`64${T}http://archive.is/odF31${T}and${T}http://archive.is/S4jwQ${T}`],
    ),
    page([`already${T}removed.82`], [`82${T}www.xjdrc.gov.cn/info/11855/22388.htm${T}(page${T}already${T}removed)${T}`]),
  ].join('\n');
  const r = extractCitations(text);

  it('keeps each footnote\'s number and text, and the sentence that carries its marker', () => {
    const alt = byUrl(r.citations, 'http://www.alt.gov.cn/zwxx/001002/20190321/7f49da54-0cb5-47ad-b486-d07bb4060a8a.html')!;
    expect(alt.footnotes).toEqual([17]);
    expect(alt.archived).toEqual(['http://archive.is/QPael']);
    expect(alt.context[0]!.sentence).toBe('In Chinese, VTICs are often abbreviated as "Education Training Centers" (教培中⼼).');
    expect(alt.context[0]!.note).toMatch(/^http:\/\/www\.alt\.gov\.cn\/.* or http:\/\/archive\.is\/QPael\. Compare http:\/\/www\.scio\.gov\.cn\//);
    // two pages in one footnote, each with its own archive link
    expect(byUrl(r.citations, 'http://www.scio.gov.cn/ztk/dtzt/39912/40016/40030/Document/1649854/1649854.htm')!.archived).toEqual(['http://archive.is/b5j3L']);
    expect(byUrl(r.citations, 'http://www.xjrs.com.cn/zwgk/xwdt/xjyw/201903/t8a4ac70d69b93a1c0169be4c80b300c0.html')!.context[0]!.sentence).toBe(
      'In all this, the central government is putting special attention to winning the war against poverty in southern Xinjiang.',
    );
    // the previous marker ends the previous sentence; a marker may stand a space apart
    expect(byUrl(r.citations, 'http://f.china.com.cn/2018-02/07/content_50442241.htm')!.context[0]!.sentence).toBe('Another report states that poverty alleviation is commensurate with a "military command".');
  });

  it('a scheme-less www. URL is a URL, trailing punctuation is not part of one, and a footnote number after a figure is found', () => {
    const removed = byUrl(r.citations, 'http://www.xjdrc.gov.cn/info/11855/22388.htm')!;
    expect(removed.footnotes).toEqual([82]);
    expect(removed.context[0]!.note).toBe('www.xjdrc.gov.cn/info/11855/22388.htm (page already removed)');
    expect(r.citations.every((c) => !/[.,;)]$/.test(c.url))).toBe(true);
    expect(r.archiveOnly.map((a) => a.footnote)).toEqual([64, 64]);
    expect(r.archiveOnly[0]!.note).toBe('http://archive.is/odF31 and http://archive.is/S4jwQ');
  });

  it('trims the punctuation around URLs, Chinese included', () => {
    expect(findUrls('见http://www.xjdrc.gov.cn/info/11460/22308.htm。另见（http://www.xjfp.gov.cn/zzqyw/152889.jhtml），及 http://www.xinjiang.gov.cn/a.html). 又http://archive.is/VmDrY,').map((u) => u.url)).toEqual([
      'http://www.xjdrc.gov.cn/info/11460/22308.htm',
      'http://www.xjfp.gov.cn/zzqyw/152889.jhtml',
      'http://www.xinjiang.gov.cn/a.html',
      'http://archive.is/VmDrY',
    ]);
  });

  it('a numbered list in the running text is not taken for footnotes', () => {
    const parts = splitFootnotes(['six different categories:9', '1.\tMove laborers to other parts of Xinjiang', '2 Move laborers to other parts of China', 'end.'].join('\n'));
    expect(parts.footnotes).toEqual([]);
  });
});

describe('other inputs', () => {
  it('a URL list: one a line, # comments, wrappers unwrapped, a URL given twice once', () => {
    const r = extractCitations(
      ['# cited in our 2021 report', 'http://www.xjdrc.gov.cn/info/11460/22308.htm   # the VTIC+ notice', '', 'https://web.archive.org/web/20190524105429/http://www.xjdrc.gov.cn/info/11460/22308.htm', 'www.kashi.gov.cn/Item/38964.aspx'].join('\n'),
      { urlList: true },
    );
    expect(r.citations.map((c) => [c.url, c.footnotes, c.archived.length])).toEqual([
      ['http://www.xjdrc.gov.cn/info/11460/22308.htm', [], 1],
      ['http://www.kashi.gov.cn/Item/38964.aspx', [], 0],
    ]);
    expect(r.citations[0]!.context[0]!.note).toBe('the VTIC+ notice');
  });

  it('an HTML report: endnotes in an <ol>, links behind their text, markers in <sup>', () => {
    const html = `<html><body><p>Kashgar plans to double its satellite factories.<sup><a href="#fn1">1</a></sup> More follows.</p>
      <p>Another claim<sup>2</sup>.</p>
      <ol class="footnotes"><li id="fn1"><a href="http://www.kashi.gov.cn/Item/38964.aspx">喀什地区通知</a> or <a href="http://archive.is/Z0Mgg">archived</a></li>
      <li>See http://www.xjdrc.gov.cn/info/11855/23816.htm</li></ol></body></html>`;
    const r = extractCitations(reportHtmlText(html), { html: true });
    expect(r.citations.map((c) => [c.url, c.footnotes, c.archived])).toEqual([
      ['http://www.kashi.gov.cn/Item/38964.aspx', [1], ['http://archive.is/Z0Mgg']],
      ['http://www.xjdrc.gov.cn/info/11855/23816.htm', [2], []],
    ]);
    expect(r.citations[0]!.context[0]!.sentence).toBe('Kashgar plans to double its satellite factories.');
  });
});

describe('the seed report, whole', () => {
  const seed = readFileSync(join(ROOT, 'test/fixtures/reports/003_72c36eafbc07f1b1.txt'), 'utf8');
  const r = extractCitations(seed);

  it('has its 84 footnotes and 91 cited pages; six archive links stay unresolved', () => {
    expect(r.footnotes).toBe(84);
    expect(r.citations).toHaveLength(91);
    expect(r.archiveOnly.map((a) => `${a.footnote} ${a.archive}`)).toEqual([
      '25 http://archive.is/ZboFc',
      '38 http://archive.is/1qf0a',
      '38 http://archive.is/XZclS',
      '48 http://archive.is/zMi4A',
      '58 http://archive.is/dxGJV',
      '75 http://archive.fo/1X5pU',
    ]);
  });

  // read off the report by hand
  it.each([
    ['http://www.xinjiang.gov.cn/2018/11/09/152523.html', [4]],
    ['http://www.xjdrc.gov.cn/info/11460/22308.htm', [20]],
    ['http://www.xjdrc.gov.cn/info/9923/23516.htm', [22]],
    ['https://www.hts.gov.cn/weininfuwu/show.php?itemid=601', [24, 25, 29]],
    ['http://www.xjyl.gov.cn/info/1103/139006.htm', [24, 25, 29]],
    ['http://kashi.gov.cn/Government/PublicInfoShow.aspx?ID=2963', [31, 33]],
    ['http://www.xjlpx.gov.cn/nzcms_nzweb/nzcms_up/attached/file/20190411/20190411130965606560.pdf', [19, 34]],
    ['http://www.xjakt.gov.cn/wcm.files/upload/GKfpb/201807/20180731115332752.xls', [43]],
    ['http://www.ps.gov.cn/Upload/main/InfoPublicity/PublicInformation/File/2018/12/25/201812252040577920.xlsx', [44]],
    ['https://www.hts.gov.cn/file/upload/201806/06/184226546.doc', [29]],
    ['https://www.xjht.gov.cn/article/show.php?itemid=264420', [64, 73]],
    ['https://www.xjawt.gov.cn/zwgk/zdxxqtzs/tpgjzxd/20190111/i133466.html', [12, 14]],
    ['http://www.gov.cn/xinwen/2019-01/14/content_5357805.htm', [78]],
    ['http://www.gov.cn/xinwen/2016-09/28/content_5113051.htm', [80]],
    ['http://www.xjdrc.gov.cn/info/11855/22388.htm', [82]],
    ['https://www.ws.gov.cn/xwdt/bddt/20190119/i293954.html', [84]],
  ])('%s is cited by footnote(s) %j', (url, footnotes) => {
    expect(byUrl(r.citations, url)?.footnotes).toEqual(footnotes);
  });

  it('keeps the sentences: footnote 64 after "in 2020.", footnote 59 across a page break', () => {
    const sentence = (n: number) => r.citations.flatMap((c) => c.context).find((c) => c.footnote === n)?.sentence;
    expect(sentence(64)).toBe('Similarly, Lop County in Hotan Prefecture expected to increase satellite factory employment from 2,630 in mid-2018 to 20,000 in 2020.');
    expect(sentence(59)).toMatch(/^For example, Shache County \(Kashgar Prefecture\) has a cooperation between 8 different educational institutions, including the Kashgar VTIC \(喀什教育培训中心\) and 4 companies/);
    expect(sentence(1)).toBe('In all this, the central government is putting special attention to winning the war against poverty in southern Xinjiang.');
  });
});
