// @vitest-environment happy-dom
// @vitest-environment-options {"settings":{"disableJavaScriptEvaluation":true,"disableJavaScriptFileLoading":true,"disableCSSFileLoading":true,"handleDisabledFileLoadingAsSuccess":true}}
/**
 * Neutralising remote content in a message body (issue 6) on a hostile corpus:
 * every way an HTML mail can make the browser fetch from a tracker loses its URL;
 * data:, cid:, blob: and the webmail's own URLs stay; restore puts back exactly
 * what was there.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeCssEscapes,
  neutralise,
  neutraliseCss,
  remoteUrl,
  restore,
  srcsetUrls,
} from '../../src/content/neutralise';
import { pageDocument } from './helpers';

const OWN = 'http://127.0.0.1:8080';
const BASE = `${OWN}/?_task=mail&_action=preview`;

afterEach(() => {
  document.body.replaceChildren();
});

function body(html: string): HTMLElement {
  const doc = pageDocument(
    `<html><head><base href="${BASE}"></head><body><div id="messagebody">${html}</div></body></html>`,
  );
  return doc.getElementById('messagebody')!;
}

/** Each case: HTML, and the remote URLs it must yield. */
const CORPUS: [string, string, string[]][] = [
  ['pixel', '<img src="https://t.example/p.gif?u=1" width="1" height="1">', ['https://t.example/p.gif?u=1']],
  ['protocol-relative', '<img src="//t.example/p.gif">', ['http://t.example/p.gif']],
  ['tab and newline in the scheme', '<img src="ht\ttp://t.example/a\n.gif">', ['http://t.example/a.gif']],
  ['backslashes', '<img src="\\\\t.example\\b.gif">', ['http://t.example/b.gif']],
  ['upper case scheme', '<img src="HTTPS://T.EXAMPLE/C.gif">', ['https://t.example/C.gif']],
  ['lowsrc', '<img lowsrc="https://t.example/low.gif">', ['https://t.example/low.gif']],
  [
    'srcset',
    '<img srcset="https://t.example/1x.png 1x, https://t.example/2x.png 2x">',
    ['https://t.example/1x.png', 'https://t.example/2x.png'],
  ],
  [
    'srcset with commas in the URL',
    '<img srcset="https://t.example/a,b.png 100w,https://t.example/c.png">',
    ['https://t.example/a,b.png', 'https://t.example/c.png'],
  ],
  [
    'picture',
    '<picture><source srcset="https://t.example/s.webp" type="image/webp"><source src="https://t.example/s2.png"><img src="cid:part1"></picture>',
    ['https://t.example/s.webp', 'https://t.example/s2.png'],
  ],
  [
    'table background',
    '<table background="https://t.example/bg.png"><tr><td background="//t.example/td.png">x</td></tr></table>',
    ['https://t.example/bg.png', 'http://t.example/td.png'],
  ],
  [
    'inline style url()',
    '<div style="background: url(https://t.example/s.png) no-repeat">x</div>',
    ['https://t.example/s.png'],
  ],
  [
    'inline style quoted',
    `<div style='background-image: url("https://t.example/q.png")'>x</div>`,
    ['https://t.example/q.png'],
  ],
  [
    'inline style escaped',
    '<div style="background:\\75 rl(https://t.example/e.png)">x</div>',
    ['https://t.example/e.png'],
  ],
  [
    'inline style image-set',
    '<div style="background-image: image-set(&quot;https://t.example/is.png&quot; 1x)">x</div>',
    ['https://t.example/is.png'],
  ],
  [
    'style element',
    '<style>@import url("https://t.example/i.css"); @import \'https://t.example/j.css\'; .a{background:URL( https://t.example/k.png )} @font-face{font-family:x;src:url(https://t.example/f.woff2)}</style>',
    // url() first, then the string forms.
    [
      'https://t.example/i.css',
      'https://t.example/k.png',
      'https://t.example/f.woff2',
      'https://t.example/j.css',
    ],
  ],
  ['link stylesheet', '<link rel="stylesheet" href="https://t.example/l.css">', ['https://t.example/l.css']],
  ['link prefetch', '<link rel="prefetch" href="https://t.example/pf">', ['https://t.example/pf']],
  ['link dns-prefetch', '<link rel="dns-prefetch" href="//t.example">', ['http://t.example/']],
  ['link preconnect', '<link rel="preconnect" href="https://t.example">', ['https://t.example/']],
  [
    'video poster and src',
    '<video poster="https://t.example/v.jpg" src="https://t.example/v.mp4"><source src="https://t.example/v.webm"><track src="https://t.example/t.vtt"></video>',
    [
      'https://t.example/v.mp4',
      'https://t.example/v.jpg',
      'https://t.example/v.webm',
      'https://t.example/t.vtt',
    ],
  ],
  ['audio', '<audio src="https://t.example/a.mp3"></audio>', ['https://t.example/a.mp3']],
  ['iframe', '<iframe src="https://t.example/f.html"></iframe>', ['https://t.example/f.html']],
  [
    'object and embed',
    '<object data="https://t.example/o.swf"></object><embed src="https://t.example/e.swf">',
    ['https://t.example/o.swf', 'https://t.example/e.swf'],
  ],
  ['input image', '<input type="image" src="https://t.example/btn.png">', ['https://t.example/btn.png']],
  [
    'svg image',
    '<svg><image href="https://t.example/svg1.png"/><image xlink:href="https://t.example/svg2.png"/></svg>',
    ['https://t.example/svg1.png', 'https://t.example/svg2.png'],
  ],
  [
    'a ping',
    '<a href="https://shop.example/" ping="https://t.example/ping1 https://t.example/ping2">x</a>',
    ['https://t.example/ping1', 'https://t.example/ping2'],
  ],
];

/** Never touched: inline data, parts of the mail, the webmail's own URLs, links. */
const KEPT = [
  '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">',
  '<img src="cid:logo@example">',
  '<img src="blob:http://127.0.0.1:8080/abc">',
  '<img src="/?_task=mail&_action=get&_uid=1&_part=2">',
  '<img src="http://127.0.0.1:8080/skins/elastic/images/x.png">',
  '<a href="https://t.example/link">a link is not loaded</a>',
  '<div style="color: red; content: \'https://t.example/text\'">x</div>',
  '<style>.a { color: blue }</style>',
];

describe('neutralise', () => {
  for (const [name, html, urls] of CORPUS) {
    it(`${name}: no remote URL left, each one counted`, () => {
      const root = body(html);
      const before = root.innerHTML;
      const result = neutralise(root, OWN);
      expect(result.urls).toEqual(urls);
      // Nothing in the body still points at the tracker, but data-cipherpost-* copies.
      const after = root.cloneNode(true) as HTMLElement;
      for (const el of after.querySelectorAll('*')) {
        for (const a of [...el.attributes])
          if (a.name.startsWith('data-cipherpost-')) el.removeAttribute(a.name);
      }
      expect(after.innerHTML).not.toMatch(/t\.example/i);
      expect(restore(result.changes)).toBe(result.changes.length);
      expect(root.innerHTML).toBe(before);
    });
  }

  it('keeps data:, cid:, blob:, same-origin URLs, links and plain text', () => {
    for (const html of KEPT) {
      const root = body(html);
      const before = root.innerHTML;
      expect(neutralise(root, OWN)).toEqual({ urls: [], sheets: [], changes: [] });
      expect(root.innerHTML).toBe(before);
    }
  });

  it('keeps the originals in data-cipherpost-* attributes, for people and tests to see', () => {
    const root = body(
      '<img id="i" src="https://t.example/p.gif" srcset="https://t.example/2x.png 2x"><div id="d" style="background:url(https://t.example/s.png)"></div><style id="s">.a{background:url(https://t.example/k.png)}</style>',
    );
    neutralise(root, OWN);
    const img = root.querySelector('#i')!;
    expect(img.hasAttribute('src')).toBe(false);
    expect(img.getAttribute('data-cipherpost-src')).toBe('https://t.example/p.gif');
    expect(img.getAttribute('data-cipherpost-srcset')).toBe('https://t.example/2x.png 2x');
    const div = root.querySelector('#d')!;
    expect(div.getAttribute('style')).toBe('background:url("about:invalid")');
    expect(div.getAttribute('data-cipherpost-style')).toBe('background:url(https://t.example/s.png)');
    const style = root.querySelector('#s')!;
    expect(style.textContent).toBe('.a{background:url("about:invalid")}');
    expect(style.getAttribute('data-cipherpost-css')).toBe('.a{background:url(https://t.example/k.png)}');
  });

  it('names the style sheets among the URLs (their own loads are allowed with them)', () => {
    const root = body(
      '<link rel="stylesheet" href="https://s.example/a.css"><link rel="prefetch" href="https://t.example/p">' +
        '<style>@import url(https://s.example/b.css); @import "//s2.example/c.css"; .x{background:url(https://t.example/i.png)}</style>',
    );
    expect(neutralise(root, OWN).sheets).toEqual([
      'https://s.example/a.css',
      'https://s.example/b.css',
      'http://s2.example/c.css',
    ]);
  });

  it('a <base> in the mail cannot turn a relative URL into an unnoticed remote one', () => {
    const doc = pageDocument(
      '<html><head><base href="https://t.example/"></head><body><div id="m"><img src="p.gif"></div></body></html>',
    );
    expect(neutralise(doc.getElementById('m')!, OWN).urls).toEqual(['https://t.example/p.gif']);
  });

  it('restores the exact originals even when the page rewrote the data attributes', () => {
    const root = body('<img id="i" src="https://t.example/p.gif?a=1&amp;b=2">');
    const { changes } = neutralise(root, OWN);
    root.querySelector('#i')!.setAttribute('data-cipherpost-src', 'https://evil.example/');
    restore(changes);
    expect(root.querySelector('#i')!.getAttribute('src')).toBe('https://t.example/p.gif?a=1&b=2');
    expect(root.querySelector('#i')!.hasAttribute('data-cipherpost-src')).toBe(false);
  });

  it('a second pass over a neutralised body finds nothing more', () => {
    const root = body(CORPUS.map(([, html]) => html).join(''));
    const first = neutralise(root, OWN);
    expect(first.urls.length).toBeGreaterThan(30);
    expect(neutralise(root, OWN)).toEqual({ urls: [], sheets: [], changes: [] });
  });
});

describe('URL and CSS helpers', () => {
  it('remoteUrl resolves like the browser and knows the page origin', () => {
    expect(remoteUrl(' //t.example/x ', BASE, OWN)).toBe('http://t.example/x');
    expect(remoteUrl('/local', BASE, OWN)).toBeNull();
    expect(remoteUrl('javascript:alert(1)', BASE, OWN)).toBeNull();
    expect(remoteUrl('http://127.0.0.1:9999/x', BASE, OWN)).toBe('http://127.0.0.1:9999/x');
  });

  it('srcsetUrls follows the HTML parsing rules', () => {
    expect(srcsetUrls('a.png 1x, b.png 2x')).toEqual(['a.png', 'b.png']);
    expect(srcsetUrls('a.png,b.png')).toEqual(['a.png,b.png']);
    expect(srcsetUrls('a.png, b.png')).toEqual(['a.png', 'b.png']);
    expect(srcsetUrls(' , a.png 100w (x, y), b.png')).toEqual(['a.png', 'b.png']);
  });

  it('decodeCssEscapes and neutraliseCss', () => {
    expect(decodeCssEscapes('\\75 rl(x)')).toBe('url(x)');
    expect(decodeCssEscapes('\\u\\r\\l(x)')).toBe('url(x)');
    expect(neutraliseCss('color: red', BASE, OWN)).toBeNull();
    expect(neutraliseCss('background: url(/own.png)', BASE, OWN)).toBeNull();
    expect(neutraliseCss('@import "https://t.example/a.css";', BASE, OWN)).toEqual({
      text: '@import "about:invalid";',
      urls: ['https://t.example/a.css'],
      sheets: ['https://t.example/a.css'],
    });
  });
});
