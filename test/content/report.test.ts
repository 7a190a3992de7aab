// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { createReporter, expectationMet, MISSING_AFTER_MS } from '../../src/content/report';
import { fakeDeps } from './helpers';

const reports = (deps: ReturnType<typeof fakeDeps>) =>
  deps.sent
    .filter((m) => m.type === 'providers:report')
    .map((m) => m.type === 'providers:report' && `${m.compose}/${m.reader}`);

describe('providers:report', () => {
  it('ok when found, missing only after the grace period, sent on change only', () => {
    const deps = fakeDeps();
    let rechecks = 0;
    const reporter = createReporter('roundcube', deps, () => rechecks++);
    const none = { compose: false, reader: false };
    reporter.update(none, none);
    reporter.update(none, none);
    expect(reports(deps)).toEqual(['idle/idle']);
    // The URL says compose, nothing matches yet: idle for 3 s, then missing.
    reporter.update(none, { compose: true, reader: false });
    expect(reports(deps)).toEqual(['idle/idle']);
    deps.advance(MISSING_AFTER_MS + 100);
    expect(rechecks).toBe(1);
    reporter.update(none, { compose: true, reader: false });
    expect(reports(deps)).toEqual(['idle/idle', 'missing/idle']);
    reporter.update({ compose: true, reader: true }, { compose: true, reader: false });
    expect(reports(deps)).toEqual(['idle/idle', 'missing/idle', 'ok/ok']);
    expect(deps.sent[0]).toEqual({
      type: 'providers:report',
      provider: 'roundcube',
      compose: 'idle',
      reader: 'idle',
    });
  });

  it('found within the grace period is never reported missing', () => {
    const deps = fakeDeps();
    const reporter = createReporter('gmail', deps, () => {});
    reporter.update({ compose: false, reader: false }, { compose: true, reader: true });
    deps.advance(1_000);
    reporter.update({ compose: true, reader: true }, { compose: true, reader: true });
    expect(reports(deps)).toEqual(['idle/idle', 'ok/ok']);
  });

  it('expectationMet: the URL of any document (top or frame), or a selector', () => {
    const doc = (href: string, html = '') => {
      const d = new DOMParser().parseFromString(`<html><body>${html}</body></html>`, 'text/html');
      Object.defineProperty(d, 'location', { value: { href } });
      return d;
    };
    const compose = { url: /[?&]_action=compose\b/ };
    expect(expectationMet(compose, [doc('http://x/?_task=mail&_action=compose')])).toBe(true);
    expect(expectationMet(compose, [doc('http://x/?_task=mail&_action=composer')])).toBe(false);
    expect(expectationMet(compose, [doc('http://x/'), doc('http://x/?_action=compose&_framed=1')])).toBe(
      true,
    );
    expect(expectationMet({ selector: '.shell' }, [doc('http://x/', '<div class="shell"></div>')])).toBe(
      true,
    );
    expect(expectationMet(undefined, [doc('http://x/?_action=compose')])).toBe(false);
  });
});
