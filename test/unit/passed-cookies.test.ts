import { describe, expect, it } from 'vitest';
import { passedCookies } from '../../src/fetch/passed-cookies.js';

const c = (name: string, value: string) => ({ name, value, domain: '127.0.0.1', path: '/', httpOnly: false, secure: false });

describe('the cookies that got a page past a challenge', () => {
  it('are the values its document request carried, not a later challenge answer’s replacement', () => {
    // the favicon's challenge replaced S after the page came through with S=page
    const jar = [c('S', 'favicon'), c('T', 'token'), c('other', 'x')];
    expect(passedCookies(jar, 'S=page; T=token', [])).toEqual([c('S', 'page'), c('T', 'token'), c('other', 'x')]);
  });

  it('as the document’s own answer then set them', () => {
    const jar = [c('S', 'favicon'), c('T', 'token')];
    expect(passedCookies(jar, 'S=page; T=token', ['T=renewed; Path=/; HttpOnly'])).toEqual([c('S', 'page'), c('T', 'renewed')]);
  });

  it('are the jar as it is when the request carried nothing', () => {
    const jar = [c('S', 'a')];
    expect(passedCookies(jar, null, [])).toEqual(jar);
    expect(passedCookies(jar, '', ['junk'])).toEqual(jar);
  });
});
