// @vitest-environment happy-dom
/**
 * The reader frame rendered with a stand-in background (issue 5): nothing from the
 * message before a successful reader:open, the ids the browser tests drive, errors in
 * words, the locked flow through the extension's own unlock window.
 */
import { h, render } from 'preact';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReaderView } from '../../src/messaging/messages';
import { SRCDOC_CSP } from '../../src/reader/srcdoc';
import { fakeBackground, waitFor } from './frame-harness';
import { disableHappyDomLoading, fixNodeIterator, fixNodeNameGetter } from './happy-dom-fix';

const bg = vi.hoisted(() => ({
  current: null as null | ReturnType<typeof import('./frame-harness').fakeBackground>,
}));
vi.mock('../../src/ui/api', () => ({
  call: (m: unknown) => bg.current!.call(m as never),
  errorText: (r: { code: string }) => `error_${r.code}`,
}));
vi.mock('../../src/ui/i18n', async () => ({ t: (await import('./frame-harness')).fakeT }));

const { ReaderApp } = await import('../../src/reader/app');

const VIEW: ReaderView = {
  subject: 'Quarterly numbers',
  bodyType: 'text/plain',
  body: 'Hello Bob,\n  the numbers.',
  date: Date.UTC(2026, 11, 3, 12, 0),
  sender: { address: 'alice@example.com', fingerprint: 'AAAA', trust: 'verified' },
  recipients: ['bob@example.com'],
  addressedToYou: true,
  attachments: [{ name: 'q4.csv', mediaType: 'text/csv', size: 5, data: 'YSxiLGM=' }],
  signature: {
    signer: 'alice@example.com',
    fingerprint: 'AAAA',
    trust: 'verified',
    displayedFrom: 'alice@example.com',
    fromMismatch: false,
  },
  source: 'body',
  remoteAllowed: false,
};

let root: HTMLElement;
const $ = <E extends Element = HTMLElement>(sel: string) => root.querySelector<E>(sel);
const state = () => $('#reader')?.getAttribute('data-state');

beforeAll(() => {
  disableHappyDomLoading(window);
  fixNodeNameGetter(window as Window & typeof globalThis);
  fixNodeIterator(window as Window & typeof globalThis);
});
beforeEach(() => {
  bg.current = fakeBackground();
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  render(null, root);
  root.remove();
});

describe('reader frame', () => {
  it('shows nothing of the message until reader:open answered, then all of it', async () => {
    let answer!: (v: unknown) => void;
    bg.current!.answers.set('reader:open', () => new Promise((r) => (answer = r)) as never);
    render(h(ReaderApp, { ticket: 'T1' }), root);
    await waitFor(() => bg.current!.of('reader:open').length === 1);
    expect(state()).toBe('loading');
    expect(root.textContent).not.toContain('Quarterly');
    expect(bg.current!.of('reader:open')[0]).toEqual({ type: 'reader:open', ticket: 'T1' });

    answer({ ok: true, value: VIEW });
    await waitFor(() => state() === 'ready');
    expect($('#subject')?.textContent).toBe('Quarterly numbers');
    expect($('#body')?.tagName).toBe('PRE');
    expect($('#body')?.textContent).toBe('Hello Bob,\n  the numbers.');
    expect($('#signature')?.getAttribute('data-trust')).toBe('verified');
    expect($('#signature')?.getAttribute('data-mismatch')).toBe('false');
    expect($('#signature')?.textContent).toBe('sig_verified(alice@example.com)');
    expect($('#from-mismatch')).toBeNull();
    expect($('#not-addressed')).toBeNull();
    expect($('[data-attachment-index="0"]')?.tagName).toBe('BUTTON');
    expect(root.textContent).toContain('q4.csv');
    await waitFor(() => $('[data-testid="security-marker"]'));
  });

  it('warns of a signer who is not the displayed From, and of a message not addressed to you', async () => {
    bg.current!.answers.set('reader:open', {
      ok: true,
      value: {
        ...VIEW,
        addressedToYou: false,
        signature: {
          ...VIEW.signature,
          trust: 'unknown',
          displayedFrom: 'ceo@example.com',
          fromMismatch: true,
        },
      },
    });
    render(h(ReaderApp, { ticket: 'T1' }), root);
    await waitFor(() => state() === 'ready');
    expect($('#signature')?.getAttribute('data-mismatch')).toBe('true');
    expect($('#signature')?.getAttribute('data-trust')).toBe('unknown');
    // A danger banner in plain words, its reason from the signature, with an explanation.
    const banner = $('#from-mismatch')!;
    expect(banner.getAttribute('role')).toBe('alert');
    expect(banner.getAttribute('data-reason')).toBe('signer-differs');
    expect(banner.getAttribute('data-severity')).toBe('danger');
    expect(banner.classList.contains('danger')).toBe(true);
    expect(banner.querySelector('p')?.textContent).toBe(
      'sender_signer_differs(alice@example.com,ceo@example.com)',
    );
    const why = banner.querySelector<HTMLDetailsElement>('details#why')!;
    expect(why.open).toBe(false);
    expect(why.querySelector('summary')?.textContent).toBe('banner_why');
    expect(why.querySelector('p')?.textContent).toBe(
      'sender_signer_differs_why(alice@example.com,ceo@example.com)',
    );
    expect($('#not-addressed')?.textContent).toBe('reader_not_addressed');
  });

  it('renders HTML sanitized in a script-less sandboxed frame with the CSP first', async () => {
    bg.current!.answers.set('reader:open', {
      ok: true,
      value: {
        ...VIEW,
        bodyType: 'text/html',
        body: '<p>Hi <b>Bob</b></p><img src=x onerror=alert(1)><script>alert(2)</script>',
      },
    });
    render(h(ReaderApp, { ticket: 'T1' }), root);
    await waitFor(() => state() === 'ready');
    const frame = $<HTMLIFrameElement>('iframe#body-html')!;
    expect(frame.getAttribute('sandbox')).toBe('allow-same-origin');
    const srcdoc = frame.getAttribute('srcdoc') ?? '';
    expect(srcdoc.startsWith(`<meta http-equiv="Content-Security-Policy" content="${SRCDOC_CSP}">`)).toBe(
      true,
    );
    expect(srcdoc).toContain('<p>Hi <b>Bob</b></p>');
    expect(srcdoc).not.toMatch(/script|onerror|alert/);
    expect($('#body')).toBeNull();
  });

  it.each([
    ['not-for-this-key', 'reader_error_not_for_this_key'],
    ['bad-signature', 'reader_error_bad_signature'],
    ['truncated', 'reader_error_truncated'],
    ['ticket-expired', 'reader_error_ticket_expired'],
    ['rate-limited', 'reader_error_rate_limited'],
  ])('explains %s in words', async (code, key) => {
    bg.current!.answers.set('reader:open', { ok: false, code: code as never, message: 'background text' });
    render(h(ReaderApp, { ticket: 'T1' }), root);
    await waitFor(() => state() === 'error');
    expect($('#error')?.getAttribute('data-code')).toBe(code);
    expect($('#error')?.textContent).toBe(key);
    expect(root.textContent).not.toContain('background text');
    expect($('#subject')).toBeNull();
  });

  it('without a ticket says to reload and asks nothing', async () => {
    render(h(ReaderApp, { ticket: '' }), root);
    await waitFor(() => state() === 'error');
    expect($('#error')?.getAttribute('data-code')).toBe('ticket-expired');
    expect(bg.current!.of('reader:open')).toEqual([]);
  });

  it('when locked: a button to the extension unlock window, no passphrase field, retry once unlocked', async () => {
    let unlocked = false;
    bg.current!.answers.set('reader:open', () =>
      unlocked ? { ok: true, value: VIEW } : { ok: false, code: 'locked', message: 'locked' },
    );
    bg.current!.answers.set('vault:open-unlock', { ok: true, value: { opened: true } });
    bg.current!.answers.set('vault:status', () => ({
      ok: true,
      value: {
        state: unlocked ? 'unlocked' : 'locked',
        retryAfterMs: 0,
        addresses: [],
        recoveryPending: false,
      },
    }));
    render(h(ReaderApp, { ticket: 'T1' }), root);
    await waitFor(() => state() === 'locked');
    expect($('#error')?.getAttribute('data-code')).toBe('locked');
    expect(root.querySelector('input')).toBeNull();
    $<HTMLButtonElement>('#unlock')!.click();
    await waitFor(() => bg.current!.of('vault:open-unlock').length === 1);
    unlocked = true;
    await waitFor(() => state() === 'ready', 3000);
    expect(bg.current!.of('reader:open').length).toBe(2);
    expect($('#subject')?.textContent).toBe('Quarterly numbers');
  });

  it('reply, reply all and forward ask the background with the ticket', async () => {
    bg.current!.answers.set('reader:open', { ok: true, value: VIEW });
    bg.current!.answers.set('compose:reply', { ok: true, value: { started: true } });
    render(h(ReaderApp, { ticket: 'T1' }), root);
    await waitFor(() => state() === 'ready');
    for (const id of ['reply', 'reply-all', 'forward']) $<HTMLButtonElement>(`#${id}`)!.click();
    await waitFor(() => bg.current!.of('compose:reply').length === 3);
    expect(bg.current!.of('compose:reply')).toEqual([
      { type: 'compose:reply', ticket: 'T1', mode: 'reply' },
      { type: 'compose:reply', ticket: 'T1', mode: 'reply-all' },
      { type: 'compose:reply', ticket: 'T1', mode: 'forward' },
    ]);
  });

  it('reports its height with its ticket', async () => {
    bg.current!.answers.set('reader:open', { ok: true, value: VIEW });
    render(h(ReaderApp, { ticket: 'T1' }), root);
    await waitFor(() => bg.current!.of('frame:resize').length > 0);
    const first = bg.current!.of('frame:resize')[0] as { ticket: string; height: number };
    expect(first.ticket).toBe('T1');
    expect(typeof first.height).toBe('number');
  });
});

describe('reader frame: remote content (issue 6)', () => {
  const NEWS =
    '<p>News</p><img src="https://t.example/open.gif" width="1" height="1">' +
    '<img src="//cdn.example/hero.jpg" srcset="https://cdn.example/hero2.jpg 2x">' +
    '<img src="http://plain.example/logo.png">' +
    '<div style="background:url(https://t.example/bg.png)">bg</div>' +
    '<style>@import "https://fonts.example/f.css";</style><link rel="prefetch" href="https://t.example/pf">' +
    '<video poster="https://t.example/v.jpg"></video><iframe src="https://t.example/f"></iframe>';
  /** open.gif, hero.jpg, hero2.jpg, logo.png, bg.png, f.css, pf, v.jpg, f */
  const COUNT = 9;
  const HTML_VIEW: ReaderView = { ...VIEW, bodyType: 'text/html', body: NEWS };
  const csp = () => /content="([^"]*)"/.exec($('iframe#body-html')?.getAttribute('srcdoc') ?? '')?.[1];
  const srcdoc = () => $('iframe#body-html')?.getAttribute('srcdoc') ?? '';

  async function open(view: ReaderView) {
    bg.current!.answers.set('reader:open', { ok: true, value: view });
    render(h(ReaderApp, { ticket: 'T1' }), root);
    await waitFor(() => state() === 'ready');
  }

  it('says how many remote items were blocked, above the body, and loads none', async () => {
    await open(HTML_VIEW);
    const section = $('section#remote-content')!;
    expect(section.getAttribute('data-loaded')).toBe('none');
    expect($('#remote')?.getAttribute('data-count')).toBe(String(COUNT));
    expect($('#remote strong')?.textContent).toBe(`reader_remote_blocked_other(${COUNT})`);
    expect($('#load-once')?.textContent).toBe('reader_remote_load_once');
    expect($('#load-sender')?.textContent).toBe('reader_remote_load_sender');
    expect($<HTMLButtonElement>('#load-sender')!.disabled).toBe(false);
    // Above the body.
    const frame = $('iframe#body-html')!;
    expect(section.compareDocumentPosition(frame) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(csp()).toBe(SRCDOC_CSP);
    expect(srcdoc()).not.toMatch(/example\//);
  });

  it('"Load this time" renders again with https images only, under a CSP naming exactly their origins', async () => {
    await open(HTML_VIEW);
    $<HTMLButtonElement>('#load-once')!.click();
    await waitFor(() => $('section#remote-content')?.getAttribute('data-loaded') === 'once');
    expect(csp()).toBe(
      "default-src 'none'; img-src data: blob: https://t.example https://cdn.example; style-src 'unsafe-inline'",
    );
    const doc = srcdoc();
    expect(doc).toContain('<img src="https://t.example/open.gif" width="1" height="1">');
    expect(doc).toContain(
      '<img src="https://cdn.example/hero.jpg" srcset="https://cdn.example/hero2.jpg 2x">',
    );
    for (const never of ['plain.example', 'bg.png', 'fonts.example', '/pf', 'v.jpg', 'example/f"', 'url('])
      expect(doc, never).not.toContain(never);
    expect(doc.split('<body>')[1]).not.toMatch(/<(script|style|link|iframe|video)\b/);
    expect($('#remote')?.getAttribute('data-count')).toBe(String(COUNT));
    expect($('#remote')?.getAttribute('data-images')).toBe('3');
    expect($('#remote-loaded')?.textContent).toBe('reader_remote_loaded_once(3)');
    expect($('#load-once')).toBeNull();
    // Nothing asked of the background: this time only, this frame only.
    expect(bg.current!.of('reader:remote')).toEqual([]);
    // Unencrypted images are a second, explicit choice.
    expect($('#load-http')?.textContent).toBe('reader_remote_load_http(1)');
    $<HTMLButtonElement>('#load-http')!.click();
    await waitFor(() => srcdoc().includes('http://plain.example/logo.png'));
    expect(csp()).toBe(
      "default-src 'none'; img-src data: blob: https://t.example https://cdn.example http://plain.example; style-src 'unsafe-inline'",
    );
    expect($('#load-http')).toBeNull();
  });

  it('"Always for this sender" asks the background with the ticket only, then loads images', async () => {
    bg.current!.answers.set('reader:remote', {
      ok: true,
      value: { loaded: 'sender', sender: 'alice@example.com' },
    });
    await open(HTML_VIEW);
    $<HTMLButtonElement>('#load-sender')!.click();
    await waitFor(() => $('section#remote-content')?.getAttribute('data-loaded') === 'sender');
    expect(bg.current!.of('reader:remote')).toEqual([
      { type: 'reader:remote', ticket: 'T1', scope: 'sender' },
    ]);
    expect(csp()).toBe(
      "default-src 'none'; img-src data: blob: https://t.example https://cdn.example; style-src 'unsafe-inline'",
    );
    expect($('#remote-loaded')?.textContent).toBe('reader_remote_loaded_sender(alice@example.com,3)');
  });

  it('a refused "Always for this sender" says so and loads nothing', async () => {
    bg.current!.answers.set('reader:remote', { ok: false, code: 'forbidden', message: 'no' });
    await open(HTML_VIEW);
    $<HTMLButtonElement>('#load-sender')!.click();
    await waitFor(() => $('#remote-error'));
    expect($('#remote-error')?.textContent).toBe('error_forbidden');
    expect($('section#remote-content')?.getAttribute('data-loaded')).toBe('none');
    expect(csp()).toBe(SRCDOC_CSP);
  });

  it('offers "Always for this sender" only for a verified signer who is the From', async () => {
    await open({ ...HTML_VIEW, signature: { ...VIEW.signature, trust: 'unverified' } });
    expect($<HTMLButtonElement>('#load-sender')!.disabled).toBe(true);
    expect($('#load-sender-refused')?.textContent).toBe('reader_remote_sender_unverified');
    expect($<HTMLButtonElement>('#load-once')!.disabled).toBe(false);
  });

  it('renders images at once for an always-allowed sender', async () => {
    await open({ ...HTML_VIEW, remoteAllowed: true });
    expect($('section#remote-content')?.getAttribute('data-loaded')).toBe('sender');
    expect(csp()).toBe(
      "default-src 'none'; img-src data: blob: https://t.example https://cdn.example; style-src 'unsafe-inline'",
    );
    expect(srcdoc()).toContain('src="https://t.example/open.gif"');
    expect(bg.current!.of('reader:remote')).toEqual([]);
  });

  it('never at once when the signer is not the displayed From', async () => {
    await open({
      ...HTML_VIEW,
      remoteAllowed: true,
      signature: { ...VIEW.signature, displayedFrom: 'ceo@example.com', fromMismatch: true },
    });
    expect($('section#remote-content')?.getAttribute('data-loaded')).toBe('none');
    expect(csp()).toBe(SRCDOC_CSP);
    expect($<HTMLButtonElement>('#load-sender')!.disabled).toBe(true);
    expect($('#load-sender-refused')?.textContent).toBe('reader_remote_sender_mismatch');
    expect($('#from-mismatch')?.getAttribute('data-reason')).toBe('signer-differs');
  });

  it('says so when "Load this time" finds no image it may load', async () => {
    await open({
      ...VIEW,
      bodyType: 'text/html',
      body: '<p style="background:url(https://t.example/bg.png)">x</p>',
    });
    expect($('#remote')?.getAttribute('data-count')).toBe('1');
    $<HTMLButtonElement>('#load-once')!.click();
    await waitFor(() => $('#remote-loaded'));
    expect($('#remote-loaded')?.textContent).toBe('reader_remote_no_images');
    expect(csp()).toBe(SRCDOC_CSP);
  });

  it('shows nothing when there is nothing remote', async () => {
    await open({ ...VIEW, bodyType: 'text/html', body: '<p>only text</p>' });
    expect($('#remote-content')).toBeNull();
    await open(VIEW);
    expect($('#remote-content')).toBeNull();
  });
});

describe('reader frame: the quoted From', () => {
  it('is shown as text without bidi controls', async () => {
    bg.current!.answers.set('reader:open', {
      ok: true,
      value: {
        ...VIEW,
        signature: { ...VIEW.signature, displayedFrom: 'Bob <\u202emoc.evil@bob>', fromMismatch: true },
      },
    });
    render(h(ReaderApp, { ticket: 'T1' }), root);
    await waitFor(() => state() === 'ready');
    expect($('#from-mismatch p')?.textContent).toBe(
      'sender_signer_differs(alice@example.com,Bob <moc.evil@bob>)',
    );
    expect($('#from-mismatch')?.innerHTML).not.toContain('\u202e');
  });
});
