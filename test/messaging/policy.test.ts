/**
 * The message table's sender policy (SECURITY.md invariants 1–2): a webmail
 * content script can send nothing but `system:ping`; key operations, plaintext,
 * settings and the security marker are only for extension pages (and frames,
 * where listed). Checked through the real router with handlers that would
 * answer, so a refusal is the policy's doing.
 */
import { describe, expect, it, vi } from 'vitest';
import { MESSAGES, type MessageType } from '../../src/messaging/messages';
import { createRouter, type SomeHandlers } from '../../src/messaging/router';
import {
  CHROME_ID,
  CHROME_ORIGIN,
  chromeComposeFrame,
  chromeGmailContent,
  chromePopup,
  firefoxOutlookContent,
} from './fixtures';

/** A minimal valid payload per message, so a refusal is not a bad-request. */
const SAMPLES: { [T in MessageType]: Record<string, unknown> } = {
  'system:ping': {},
  'ui:marker': {},
  'vault:status': {},
  'vault:create': { address: 'a@example.test', passphrase: 'correct horse battery' },
  'vault:pending-recovery-code': {},
  'vault:confirm-recovery-code': { code: 'x' },
  'vault:unlock': { passphrase: 'p' },
  'vault:recover': { code: 'x', newPassphrase: 'p' },
  'vault:lock': {},
  'vault:change-passphrase': { current: 'a', next: 'b' },
  'vault:export-backup': {},
  'vault:import-backup': { data: '', secret: 's', secretKind: 'passphrase' },
  'identity:get': {},
  'contacts:list': {},
  'contacts:import': { text: 'key' },
  'contacts:verify': { address: 'a@example.test', fingerprint: 'f' },
  'contacts:delete': { address: 'a@example.test' },
  'settings:get': {},
  'settings:set': { autoLockMinutes: 5 },
  'message:decrypt': { armored: 'text' },
  'directory:lookup': { address: 'a@example.test' },
  'directory:publish': {},
  'directory:check': {},
};

const TYPES = Object.keys(MESSAGES) as MessageType[];

function routerWithAllHandlers() {
  const handler = vi.fn(() => 'answered');
  const handlers = Object.fromEntries(TYPES.map((t) => [t, handler])) as unknown as SomeHandlers;
  const route = createRouter({
    extensionId: CHROME_ID,
    extensionOrigin: CHROME_ORIGIN,
    handlers,
    onRefused: () => {},
    onError: () => {},
  });
  return { route, handler };
}

describe('message sender policy', () => {
  it('has a sample for every message type', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...TYPES].sort());
    expect(TYPES.length).toBeGreaterThan(15);
  });

  it.each(TYPES.filter((t) => t !== 'system:ping'))(
    '%s is refused from a webmail content script',
    async (type) => {
      const { route, handler } = routerWithAllHandlers();
      for (const sender of [chromeGmailContent(), firefoxOutlookContent()]) {
        expect(await route({ type, ...SAMPLES[type] }, sender)).toMatchObject({
          ok: false,
          code: 'forbidden',
        });
      }
      expect(handler).not.toHaveBeenCalled();
    },
  );

  it.each(TYPES)('%s is answered from the popup', async (type) => {
    const { route } = routerWithAllHandlers();
    expect(await route({ type, ...SAMPLES[type] }, chromePopup())).toEqual({ ok: true, value: 'answered' });
  });

  it('an extension frame in a webmail tab cannot export the backup, change keys or settings', async () => {
    const { route } = routerWithAllHandlers();
    const frameAllowed = TYPES.filter((t) => MESSAGES[t].senders.includes('extension-frame'));
    expect(frameAllowed.sort()).toEqual(
      ['identity:get', 'message:decrypt', 'ui:marker', 'vault:lock', 'vault:status', 'vault:unlock'].sort(),
    );
    for (const type of TYPES.filter((t) => !frameAllowed.includes(t))) {
      expect(await route({ type, ...SAMPLES[type] }, chromeComposeFrame()), type).toMatchObject({
        code: 'forbidden',
      });
    }
  });

  it('refuses extra fields and wrong types as bad-request', async () => {
    const { route, handler } = routerWithAllHandlers();
    const bad = [
      { type: 'vault:unlock' },
      { type: 'vault:unlock', passphrase: 42 },
      { type: 'vault:unlock', passphrase: 'p', extra: 1 },
      { type: 'vault:unlock', passphrase: 'x'.repeat(1025) },
      { type: 'settings:set', autoLockMinutes: 0 },
      { type: 'settings:set', autoLockMinutes: 1.5 },
      { type: 'vault:import-backup', data: '', secret: 's', secretKind: 'password' },
    ];
    for (const raw of bad) {
      expect(await route(raw, chromePopup()), JSON.stringify(raw).slice(0, 60)).toMatchObject({
        code: 'bad-request',
      });
    }
    expect(handler).not.toHaveBeenCalled();
  });
});
