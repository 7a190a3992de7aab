// @vitest-environment happy-dom
/**
 * The privacy banner frame (issue 6) with a stand-in background: the DOM contract the
 * browser tests drive (main#banner[data-severity][data-loaded], #remote[data-count],
 * #load-once, #load-sender, #sender-warning with [data-reason] items and details#why),
 * the plural-aware count, the choices and what the background answers, and
 * "Always for this sender" never offered for a sender that may be forged.
 */
import { readFileSync } from 'node:fs';
import { h, render } from 'preact';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PrivacyView } from '../../src/messaging/messages';
import { fakeBackground, waitFor } from '../reader/frame-harness';
import { disableHappyDomLoading } from '../reader/happy-dom-fix';

const bg = vi.hoisted(() => ({
  current: null as null | ReturnType<typeof import('../reader/frame-harness').fakeBackground>,
}));
vi.mock('../../src/ui/api', () => ({
  call: (m: unknown) => bg.current!.call(m as never),
  errorText: (r: { code: string }) => `error_${r.code}`,
}));
vi.mock('../../src/ui/i18n', async () => ({ t: (await import('../reader/frame-harness')).fakeT }));

const { BannerApp } = await import('../../src/ui/banner/app');
const { ticketFromQuery } = await import('../../src/ui/banner/ticket');

const VIEW: PrivacyView = {
  count: 3,
  hosts: ['tracker.example', 'cdn.example'],
  sender: 'news@shop.example',
  verdict: { severity: 'none', reasons: [] },
  loaded: 'none',
};
const DANGER: PrivacyView = {
  ...VIEW,
  sender: 'security@paypa1.com',
  verdict: {
    severity: 'danger',
    reasons: [
      { code: 'lookalike-popular', severity: 'danger', detail: { domain: 'paypa1.com', like: 'paypal.com' } },
      { code: 'reply-to-domain', severity: 'warning', detail: { replyTo: '<b>x.example</b>' } },
    ],
  },
};

let root: HTMLElement;
const $ = <E extends Element = HTMLElement>(sel: string) => root.querySelector<E>(sel);
const banner = () => $('#banner')!;

beforeAll(() => disableHappyDomLoading(window));
beforeEach(() => {
  bg.current = fakeBackground();
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  render(null, root);
  root.remove();
});

async function show(view: PrivacyView) {
  bg.current!.answers.set('privacy:get', { ok: true, value: view });
  render(h(BannerApp, { ticket: 'T1' }), root);
  await waitFor(() => $('#remote'));
}

describe('banner frame', () => {
  it('remote items blocked, benign sender: the count, both choices, no warning', async () => {
    await show(VIEW);
    expect(bg.current!.of('privacy:get')).toEqual([{ type: 'privacy:get', ticket: 'T1' }]);
    expect(banner().getAttribute('data-severity')).toBe('none');
    expect(banner().getAttribute('data-loaded')).toBe('none');
    expect($('#remote')!.getAttribute('data-count')).toBe('3');
    expect($('#remote')!.hidden).toBe(false);
    expect($('#remote strong')!.textContent).toBe('banner_blocked_other(3)');
    expect($('#remote')!.textContent).toContain('banner_hosts(tracker.example, cdn.example)');
    expect($('#load-once')!.textContent).toBe('banner_load_once');
    expect($('#load-sender')!.textContent).toBe('banner_load_sender');
    expect($<HTMLButtonElement>('#load-sender')!.disabled).toBe(false);
    expect($('#sender-warning')).toBeNull();
    // The per-install marker, as in every frame of ours.
    await waitFor(() => $('[data-testid="security-marker"]'));
    // The frame reports its height with its own ticket.
    await waitFor(() => bg.current!.of('frame:resize').length > 0);
    expect(bg.current!.of('frame:resize')[0]).toMatchObject({ type: 'frame:resize', ticket: 'T1' });
  });

  it('one item: the singular form', async () => {
    await show({ ...VIEW, count: 1, hosts: ['t.example'] });
    expect($('#remote strong')!.textContent).toBe('banner_blocked_one(1)');
  });

  it('"Load this time" asks the background and shows what is loaded', async () => {
    bg.current!.answers.set('privacy:allow', { ok: true, value: { loaded: 'once' } });
    await show(VIEW);
    $('#load-once')!.click();
    await waitFor(() => banner().getAttribute('data-loaded') === 'once');
    expect(bg.current!.of('privacy:allow')).toEqual([{ type: 'privacy:allow', ticket: 'T1', scope: 'once' }]);
    expect($('#load-once')).toBeNull();
    expect($('#load-sender')).not.toBeNull();
    expect($('#remote')!.textContent).toContain('banner_loaded_once');
  });

  it('"Always for this sender"', async () => {
    bg.current!.answers.set('privacy:allow', { ok: true, value: { loaded: 'sender' } });
    await show(VIEW);
    $('#load-sender')!.click();
    await waitFor(() => banner().getAttribute('data-loaded') === 'sender');
    expect(bg.current!.of('privacy:allow')).toEqual([
      { type: 'privacy:allow', ticket: 'T1', scope: 'sender' },
    ]);
    expect($('#remote')!.textContent).toContain('banner_loaded_sender(news@shop.example)');
    expect($('#load-once')).toBeNull();
    expect($('#load-sender')).toBeNull();
  });

  it('an error from the background is shown in words', async () => {
    bg.current!.answers.set('privacy:allow', { ok: false, code: 'not-delivered', message: 'x' });
    await show(VIEW);
    $('#load-once')!.click();
    await waitFor(() => $('#error'));
    expect($('#error')!.textContent).toBe('error_not-delivered');
    expect(banner().getAttribute('data-loaded')).toBe('none');
  });

  it('danger: the warning in plain words, why, and no "always" for a sender that may be forged', async () => {
    await show(DANGER);
    expect(banner().getAttribute('data-severity')).toBe('danger');
    expect(banner().classList.contains('severity-danger')).toBe(true);
    const warning = $('#sender-warning')!;
    expect(warning.getAttribute('role')).toBe('alert');
    expect(warning.textContent).toContain('banner_sender_danger(security@paypa1.com)');
    const items = [...warning.querySelectorAll('[data-reason]')];
    expect(items.map((i) => i.getAttribute('data-reason'))).toEqual(['lookalike-popular', 'reply-to-domain']);
    // The words name the facts (src/privacy/reason-text.ts).
    expect(items[0]!.textContent).toBe('sender_lookalike_popular(paypa1.com,paypal.com)');
    // Details come from the mail: text, never markup.
    expect(items[1]!.querySelector('b')).toBeNull();
    expect(items[1]!.textContent).toContain('<b>x.example</b>');
    const why = $<HTMLDetailsElement>('details#why')!;
    expect(why.querySelector('summary')!.textContent).toBe('banner_why');
    expect([...why.querySelectorAll('[data-reason-why]')].map((p) => p.textContent)).toEqual([
      'sender_lookalike_popular_why(paypa1.com,paypal.com)',
      'sender_reply_to_domain_why(<b>x.example</b>,?)',
    ]);
    expect($<HTMLButtonElement>('#load-sender')!.disabled).toBe(true);
    expect($('#sender-refused')!.textContent).toBe('banner_sender_refused');
    expect($<HTMLButtonElement>('#load-once')!.disabled).toBe(false);
  });

  it('a warning without remote content: #remote hidden, the warning shown', async () => {
    await show({
      ...VIEW,
      count: 0,
      hosts: [],
      verdict: {
        severity: 'warning',
        reasons: [{ code: 'reply-to-domain', severity: 'warning', detail: {} }],
      },
    });
    expect(banner().getAttribute('data-severity')).toBe('warning');
    expect($('#remote')!.hidden).toBe(true);
    expect($('#remote')!.getAttribute('data-count')).toBe('0');
    expect($('#sender-warning')!.textContent).toContain('banner_sender_warning(news@shop.example)');
  });

  it('the ticket comes from ?t= only when well-formed', () => {
    expect(ticketFromQuery('?t=abc_DEF-1')).toBe('abc_DEF-1');
    expect(ticketFromQuery('?t=a%20b')).toBe('');
    expect(ticketFromQuery('')).toBe('');
  });

  it('keys built at run time exist in English and Japanese', () => {
    const built = ['banner_blocked_one', 'banner_blocked_other'];
    for (const lang of ['en', 'ja']) {
      const messages = JSON.parse(readFileSync(`public/_locales/${lang}/messages.json`, 'utf8'));
      for (const key of built) expect(messages, `${lang} ${key}`).toHaveProperty(key);
    }
  });
});
