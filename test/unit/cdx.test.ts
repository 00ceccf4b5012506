import { describe, expect, it } from 'vitest';
import { cdxTime, earliestGood, parseCdx } from '../../src/extract/cdx.js';

const U = 'http://www.example.gov.cn/a.html';
const answer = JSON.stringify([
  ['timestamp', 'original', 'statuscode', 'digest'],
  ['20170101000000', U, '302', 'AAA'],
  ['20170301000000', U, '404', 'BBB'],
  ['20180505101010', U, '200', 'CCC'],
  ['20180606101010', U, '200', 'CCC'],
  ['20190101000000', U, '200', 'DDD'],
]);

describe('the Wayback CDX index answer', () => {
  it('reads the rows by the field names of the first row', () => {
    const r = parseCdx(answer);
    expect('rows' in r && r.rows.map((x) => x.statuscode)).toEqual(['302', '404', '200', '200', '200']);
    // fields in another order are still read by name
    const other = parseCdx(JSON.stringify([['statuscode', 'timestamp', 'original'], ['200', '20200101000000', U]]));
    expect('rows' in other && other.rows[0]).toEqual({ timestamp: '20200101000000', original: U, statuscode: '200', digest: '' });
  });

  it('chooses the earliest capture that answered 200, never a redirect or an error', () => {
    const r = parseCdx(answer);
    if (!('rows' in r)) throw new Error('not parsed');
    expect(earliestGood(r.rows)?.timestamp).toBe('20180505101010');
    expect(earliestGood(r.rows.filter((x) => x.statuscode !== '200'))).toBeUndefined();
  });

  it('says what is wrong with junk, and an empty answer holds nothing', () => {
    expect(parseCdx('<html>offline</html>')).toHaveProperty('problem');
    expect(parseCdx('{"a":1}')).toHaveProperty('problem');
    expect(parseCdx('[[1,2]]')).toHaveProperty('problem');
    expect(parseCdx('[]')).toEqual({ rows: [] });
    expect(parseCdx('')).toEqual({ rows: [] });
    // a row that is not a capture is skipped, not trusted
    const r = parseCdx(JSON.stringify([['timestamp', 'original', 'statuscode'], ['x', U, '200'], ['20200101000000', 'javascript:1', '200']]));
    expect(r).toEqual({ rows: [] });
  });

  it('turns the archive timestamp into ISO time', () => {
    expect(cdxTime('20180505101010')).toBe('2018-05-05T10:10:10Z');
  });
});
