import { describe, expect, it } from 'vitest';
import { dateFromUrl, labelledDate, makeDate, parseDate } from '../../src/extract/date.js';

describe('dates', () => {
  it.each([
    ['发布时间：2019年03月21日', '2019-03-21'],
    ['2019年3月21日', '2019-03-21'],
    ['2019-03-21 10:30', '2019-03-21'],
    ['2019/3/21', '2019-03-21'],
    ['2019.03.21', '2019-03-21'],
    ['2019 年 3 月 1 日', '2019-03-01'],
    ['2018-12-4 10:15:32', '2018-12-04'],
  ])('parses %s', (text, date) => {
    expect(parseDate(text)).toBe(date);
  });

  it('rejects impossible dates and far-off years', () => {
    expect(makeDate(2019, 2, 30)).toBeUndefined();
    expect(makeDate(1900, 1, 1)).toBeUndefined();
    expect(parseDate('电话：0998-1234-5678')).toBeUndefined();
  });

  it('prefers a labelled date to the first date in the text', () => {
    expect(labelledDate('根据2017年1月5日会议精神 … 发布日期：2019-03-21')).toBe('2019-03-21');
  });

  it.each([
    ['http://x.gov.cn/xxgk/201903/t20190321_12345.html', '2019-03-21'],
    ['http://www.xinjiang.gov.cn/2018/11/09/152523.html', '2018-11-09'],
    ['http://www.akss.gov.cn/xjcms/front/s448/xxgk/20181123/i105526.html', '2018-11-23'],
    ['http://www.xjdrc.gov.cn/info/11460/22308.htm', undefined],
  ])('reads the date in %s', (url, date) => {
    expect(dateFromUrl(url)).toBe(date);
  });
});
