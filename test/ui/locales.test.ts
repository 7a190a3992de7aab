/**
 * i18n (issue #3): English and Japanese from the start. Every key the UI uses
 * exists in both locales, and both locales hold the same keys.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPOSE_STATE_KEYS } from '../../src/compose/state';
import { ERROR_CODES } from '../../src/messaging/result';
import { READER_STATE_KEYS } from '../../src/reader/state';

const load = (lang: string): Record<string, { message: string }> =>
  JSON.parse(readFileSync(`public/_locales/${lang}/messages.json`, 'utf8'));
const en = load('en');
const ja = load('ja');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

describe('locales', () => {
  it('English and Japanese have the same keys, none empty', () => {
    expect(Object.keys(en).length).toBeGreaterThan(50);
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
    for (const [k, v] of Object.entries({ ...en, ...ja })) expect(v.message, k).not.toBe('');
  });

  it('placeholders match between the languages', () => {
    for (const k of Object.keys(en)) {
      const ph = (s: string) => (s.match(/\$\d/g) ?? []).sort();
      expect(ph(ja[k]!.message), k).toEqual(ph(en[k]!.message));
    }
  });

  it('every literal t() key in the UI exists', () => {
    const used = new Set<string>();
    for (const file of [...sources('src/ui'), ...sources('src/reader'), ...sources('src/compose')]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bt\('([a-z0-9_]+)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(120);
    for (const k of used) expect(en, k).toHaveProperty(k);
  });

  it('every key built at run time exists', () => {
    const built = [
      ...['uninitialized', 'locked', 'unlocked'].map((s) => `state_${s}`),
      ...['unverified', 'directory_verified', 'verified', 'unknown'].map((s) => `trust_${s}`),
      ...['keys', 'contacts', 'settings', 'decrypt'].map((s) => `tab_${s}`),
      ...[
        'first_seen',
        'key_changed',
        'older_key_seen',
        'verified',
        'directory_verified',
        'trust_changed',
        'change_acknowledged',
      ].map((s) => `history_${s}`),
      ...[0, 1, 2, 3, 4].map((n) => `strength_${n}`),
      // The compose and reader frames and the popup's "this page" (issue 5).
      ...READER_STATE_KEYS,
      ...COMPOSE_STATE_KEYS,
      ...['to', 'cc', 'bcc'].map((f) => `compose_${f}`),
      ...['verified', 'directory_verified', 'unverified', 'no_key', 'checking', 'invalid'].map(
        (s) => `key_status_${s}`,
      ),
      ...['key_changed', 'from_directory', 'directory_error', 'own'].map((s) => `key_note_${s}`),
      'compose_sent',
      'compose_inserted',
      'site_enabled',
      'site_enabled_reload',
      ...ERROR_CODES.filter((c) => !['bad-request', 'internal', 'unknown-message'].includes(c)).map(
        (c) => `error_${c.replace(/-/g, '_')}`,
      ),
    ];
    for (const k of built) expect(en, k).toHaveProperty(k);
  });
});
