// @vitest-environment happy-dom
/**
 * What the reader's sanitizer blocks, counted (issue 6): a corpus of remote content with
 * the exact URLs each case must report, and the image-only render behind "Load this time"
 * with its CSP. Runs the real DOMPurify on happy-dom (happy-dom-fix.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cssUrls, imageOrigin, remoteUrls, srcsetUrls } from '../../src/reader/remote-urls';
import { sanitizeHtml, sanitizeHtmlReport } from '../../src/reader/sanitize';
import { buildSrcdoc, SRCDOC_CSP, srcdocCsp } from '../../src/reader/srcdoc';
import { disableHappyDomLoading, fixNodeIterator, fixNodeNameGetter } from './happy-dom-fix';

beforeAll(() => {
  disableHappyDomLoading(window);
  fixNodeNameGetter(window as Window & typeof globalThis);
  fixNodeIterator(window as Window & typeof globalThis);
});

const T = 'https://t.example';

/** Each case: its HTML and exactly the remote URLs it must report, in order. */
const CORPUS: [string, string, string[]][] = [
  ['pixel', `<p>Hi</p><img src="${T}/open.gif?u=1" width="1" height="1">`, [`${T}/open.gif?u=1`]],
  ['http pixel', '<img src="http://t.example/p.gif">', ['http://t.example/p.gif']],
  ['protocol-relative pixel', '<img src="//t.example/p.gif">', [`${T}/p.gif`]],
  [
    'srcset',
    `<img src="${T}/a.png" srcset="${T}/a.png 1x, ${T}/a@2x.png 2x">`,
    [`${T}/a.png`, `${T}/a@2x.png`],
  ],
  [
    'picture',
    `<picture><source srcset="${T}/p.webp" type="image/webp"><source media="(min-width:600px)" srcset="${T}/wide.png 600w,${T}/wider.png 1200w"><img src="${T}/p.png"></picture>`,
    [`${T}/p.webp`, `${T}/wide.png`, `${T}/wider.png`, `${T}/p.png`],
  ],
  [
    'background attributes',
    `<table background="${T}/table.png"><tr><td background="${T}/td.png">x</td></tr></table><body background="${T}/body.png">`,
    [`${T}/body.png`, `${T}/table.png`, `${T}/td.png`],
  ],
  [
    'style url',
    `<div style="background:url('${T}/bg.png') no-repeat">a</div><p style="background-image:url(${T}/p.png)">b</p>`,
    [`${T}/bg.png`, `${T}/p.png`],
  ],
  ['style url escaped', `<p style="background:u\\72l(${T}/esc.png)">t</p>`, [`${T}/esc.png`]],
  [
    'style sheet url and @import',
    `<style>@import "${T}/a.css"; @import url(${T}/b.css); .x{background:url("${T}/c.png")} @font-face{font-family:f;src:url(${T}/f.woff2)}</style><p class="x">t</p>`,
    [`${T}/b.css`, `${T}/c.png`, `${T}/f.woff2`, `${T}/a.css`],
  ],
  [
    'image-set',
    `<p style="background-image:image-set('${T}/1.png' 1x, '${T}/2.png' 2x)">t</p>`,
    [`${T}/1.png`, `${T}/2.png`],
  ],
  [
    'video poster and sources',
    `<video poster="${T}/poster.jpg"><source src="${T}/v.mp4"></video><audio src="${T}/a.mp3"></audio>`,
    [`${T}/poster.jpg`, `${T}/v.mp4`, `${T}/a.mp3`],
  ],
  [
    'link prefetch, preload and stylesheet',
    `<link rel="prefetch" href="${T}/pf"><link rel="preload" as="image" href="${T}/pl.png" imagesrcset="${T}/pl2.png 2x"><link rel="stylesheet" href="${T}/s.css"><link rel="dns-prefetch" href="//dns.t.example">`,
    [`${T}/pf`, `${T}/pl.png`, `${T}/pl2.png`, `${T}/s.css`, 'https://dns.t.example'],
  ],
  [
    'iframe, object, embed',
    `<iframe src="${T}/f"></iframe><object data="${T}/o"></object><embed src="${T}/e">`,
    [`${T}/f`, `${T}/o`, `${T}/e`],
  ],
  ['svg image', `<svg><image href="${T}/s.png"/></svg>`, [`${T}/s.png`]],
  [
    'a ping',
    `<a href="https://example.com/" ping="${T}/ping1 ${T}/ping2">x</a>`,
    [`${T}/ping1`, `${T}/ping2`],
  ],
  ['meta refresh', `<meta http-equiv="refresh" content="0;url=${T}/go">`, [`${T}/go`]],
  ['same URL twice counts once', `<img src="${T}/p.gif"><img src="${T}/p.gif">`, [`${T}/p.gif`]],
  [
    'links, data: and cid: are not remote loads',
    `<a href="${T}/click">x</a><img src="data:image/png;base64,iVBORw0KGgo="><img src="cid:part1"><img src="/relative.png">`,
    [],
  ],
];

describe('sanitizeHtmlReport: what is blocked, counted', () => {
  it.each(CORPUS)('%s', (_, html, expected) => {
    const report = sanitizeHtmlReport(html);
    expect(report.remote).toEqual(expected);
    expect(report.images).toEqual([]);
    expect(report.origins).toEqual([]);
    // Blocked indeed: nothing remote survives, and the plain sanitizer says the same.
    expect(report.html).toBe(sanitizeHtml(html));
    expect(report.html).not.toMatch(/t\.example\/(?!click)/);
  });

  it('counts the whole corpus in one message', () => {
    const all = CORPUS.map(([, html]) => html).join('');
    const expected = new Set(CORPUS.flatMap(([, , urls]) => urls));
    expect(sanitizeHtmlReport(all).remote.sort()).toEqual([...expected].sort());
  });

  it('reports nothing when the sanitizer fails closed', () => {
    // The fail-closed path itself: sanitize-fail-closed.test.ts (a DOM without the fix).
    expect(sanitizeHtmlReport('', 'https')).toEqual({ html: '', remote: [], images: [], origins: [] });
  });
});

describe('sanitizeHtmlReport: remote images this time', () => {
  const NEWSLETTER =
    `<p>News</p><img src="${T}/open.gif" width="1" height="1">` +
    '<img src="//cdn.example/hero.jpg" srcset="https://cdn.example/hero.jpg 1x, https://cdn.example/hero2.jpg 2x, http://plain.example/x.jpg 3x">' +
    '<img src="http://plain.example/logo.png" alt="logo">' +
    `<div style="background:url(${T}/bg.png)">bg</div><table background="${T}/t.png"><tr><td>x</td></tr></table>` +
    `<style>@import "${T}/s.css";</style><link rel="stylesheet" href="${T}/l.css">` +
    `<video poster="${T}/v.jpg"></video><iframe src="${T}/f"></iframe><script src="${T}/x.js"></script>` +
    `<img src="https://user:pw@creds.example/p.png"><img src="https://[::1]/p.png">`;

  it('keeps https images only, made absolute, and lists exactly their origins', () => {
    const r = sanitizeHtmlReport(NEWSLETTER, 'https');
    expect(r.images).toEqual([
      `${T}/open.gif`,
      'https://cdn.example/hero.jpg',
      'https://cdn.example/hero2.jpg',
    ]);
    expect(r.origins).toEqual([T, 'https://cdn.example']);
    expect(r.html).toContain(`<img src="${T}/open.gif" width="1" height="1">`);
    expect(r.html).toContain(
      '<img src="https://cdn.example/hero.jpg" srcset="https://cdn.example/hero.jpg 1x, https://cdn.example/hero2.jpg 2x">',
    );
    // Never anything else remote: no CSS, background, sheet, poster, frame, script, http.
    for (const gone of [
      'bg.png',
      't.png',
      's.css',
      'l.css',
      'v.jpg',
      '/f"',
      'x.js',
      'plain.example',
      'creds',
      '::1',
    ])
      expect(r.html, gone).not.toContain(gone);
    expect(r.html).not.toMatch(/<(script|style|link|iframe|video)|url\(|background=/i);
    expect(r.html).toContain('<div>bg</div>');
    // Stable: sanitizing its own output again changes nothing.
    expect(sanitizeHtmlReport(r.html, 'https').html).toBe(r.html);
    // Everything remote is still reported, loaded or not.
    expect(r.remote).toHaveLength(14);
  });

  it('keeps http images too only when asked', () => {
    const r = sanitizeHtmlReport(NEWSLETTER, 'http-too');
    expect(r.origins).toEqual([T, 'https://cdn.example', 'http://plain.example']);
    expect(r.html).toContain('<img src="http://plain.example/logo.png" alt="logo">');
    expect(r.html).toContain('http://plain.example/x.jpg 3x');
  });

  it('drops an image whose every source is refused, and odd srcset candidates', () => {
    expect(sanitizeHtmlReport('<img src="ftp://x.example/p.png">', 'https').html).toBe('');
    const r = sanitizeHtmlReport(
      `<img srcset="${T}/a.png 2x, javascript:alert(1) 1x, ${T}/b.png 100vw, data:image/svg+xml,x 3x">`,
      'https',
    );
    expect(r.html).toBe(`<img srcset="${T}/a.png 2x">`);
  });

  it('the hostile corpus stays inert with remote images on', () => {
    for (const html of [
      `<img src="${T}/p.png" onerror="alert(1)">`,
      `<img src="javascript:alert(1)">`,
      `<img src=" https://t.example/p.png" onload=alert(1)>`,
      `<svg><image href="${T}/s.png"/></svg>`,
      `<picture><source srcset="${T}/p.webp"><img src="${T}/p.png"></picture>`,
    ]) {
      const out = sanitizeHtmlReport(html, 'http-too').html;
      expect(out, html).not.toMatch(/onerror|onload|javascript|<svg|<source|<picture|image href/i);
    }
  });
});

describe('srcdoc CSP for a render with remote images', () => {
  it('allows exactly the given origins for images, nothing else', () => {
    expect(srcdocCsp([])).toBe(SRCDOC_CSP);
    expect(srcdocCsp([T, 'https://cdn.example:8443'])).toBe(
      "default-src 'none'; img-src data: blob: https://t.example https://cdn.example:8443; style-src 'unsafe-inline'",
    );
    expect(
      buildSrcdoc('<p>x</p>', [T]).startsWith(
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data: blob: https://t.example; style-src 'unsafe-inline'">`,
      ),
    ).toBe(true);
  });

  it('refuses anything that is not a bare origin', () => {
    for (const bad of [
      '*',
      'https:',
      "'unsafe-inline'",
      'https://a.example; script-src *',
      'https://a.example/p',
      'https://a.example" x="',
      'data:',
    ])
      expect(() => srcdocCsp([bad]), bad).toThrow(/not an origin/);
  });
});

describe('remote-urls helpers', () => {
  it('parses srcset candidates', () => {
    expect(srcsetUrls('a.png 1x,b.png 2x, c.png')).toEqual([
      { url: 'a.png', descriptor: '1x' },
      { url: 'b.png', descriptor: '2x' },
      { url: 'c.png', descriptor: '' },
    ]);
    expect(srcsetUrls('a.png, b.png 100w')).toEqual([
      { url: 'a.png', descriptor: '' },
      { url: 'b.png', descriptor: '100w' },
    ]);
  });

  it('finds URLs in CSS, comments aside', () => {
    expect(cssUrls('/* url(https://no.example/) */ a{b:url( "x" )} @import \'y\';')).toEqual(['x', 'y']);
  });

  it('gives an image origin only for what a CSP may name', () => {
    expect(imageOrigin('https://A.Example:443/p.png', false)).toBe('https://a.example');
    expect(imageOrigin('//a.example/p.png', false)).toBe('https://a.example');
    expect(imageOrigin('http://a.example/p.png', false)).toBeNull();
    expect(imageOrigin('http://a.example:8080/p.png', true)).toBe('http://a.example:8080');
    expect(imageOrigin('https://u:p@a.example/p.png', true)).toBeNull();
    expect(imageOrigin('https://[::1]/p.png', true)).toBeNull();
    expect(imageOrigin('https://bücher.example/p.png', false)).toBe('https://xn--bcher-kva.example');
  });

  it('remoteUrls agrees with the report', () => {
    expect(remoteUrls(`<img src="${T}/p.gif">`)).toEqual([`${T}/p.gif`]);
  });
});
