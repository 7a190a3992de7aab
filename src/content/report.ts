/**
 * `providers:report` (docs/webmail-integration.md §Providers): per part (compose,
 * reader) `ok` when the selectors found one, `missing` when the spec expects one
 * (URL or selector) and nothing matched for MISSING_AFTER_MS, `idle` otherwise.
 * Sent when the state changes, never on every pass.
 */
import type { ProbeState, ProviderId } from '../messaging/messages';
import type { Expectation } from '../providers/types';
import type { ContentDeps } from './deps';

export const MISSING_AFTER_MS = 3_000;

export function expectationMet(expected: Expectation | undefined, docs: readonly Document[]): boolean {
  if (!expected) return false;
  for (const doc of docs) {
    if (expected.url?.test(doc.location?.href ?? '')) return true;
    if (expected.selector && doc.querySelector(expected.selector)) return true;
  }
  return false;
}

export function createReporter(provider: ProviderId, deps: ContentDeps, recheck: () => void) {
  const since: { compose: number | null; reader: number | null } = { compose: null, reader: null };
  let last = '';

  function state(part: 'compose' | 'reader', found: boolean, expected: boolean): ProbeState {
    if (found) {
      since[part] = null;
      return 'ok';
    }
    if (!expected) {
      since[part] = null;
      return 'idle';
    }
    const now = deps.now();
    if (since[part] === null) {
      since[part] = now;
      // Look again when the grace period is over, mutations or not.
      deps.setTimeout(recheck, MISSING_AFTER_MS + 50);
    }
    return now - (since[part] ?? now) >= MISSING_AFTER_MS ? 'missing' : 'idle';
  }

  return {
    update(
      found: { compose: boolean; reader: boolean },
      expected: { compose: boolean; reader: boolean },
    ): void {
      const compose = state('compose', found.compose, expected.compose);
      const reader = state('reader', found.reader, expected.reader);
      const key = `${compose}/${reader}`;
      if (key === last) return;
      last = key;
      void deps.send({ type: 'providers:report', provider, compose, reader });
    },
  };
}
