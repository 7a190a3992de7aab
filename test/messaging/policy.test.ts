/**
 * The message table's sender policy (SECURITY.md invariants 1–2): a webmail
 * content script can send nothing but `system:ping` and the webmail messages
 * that hand over ciphertext and page facts (`reader:stage`, `compose:open`,
 * `providers:report`); key operations, plaintext,
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
  chromeOptionsTab,
  chromePopup,
  FIREFOX_ID,
  FIREFOX_ORIGIN,
  firefoxOutlookContent,
  firefoxPopup,
} from './fixtures';

/** A minimal valid payload per message, so a refusal is not a bad-request. */
const DRAFT = {
  to: ['b@example.test'],
  cc: [],
  bcc: [],
  subject: 's',
  bodyType: 'text/plain',
  body: 'b',
  attachments: [{ name: 'a.txt', mediaType: 'text/plain', data: 'YQ==' }],
};

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
  'reader:stage': { armored: 'text', from: 'b@example.test', source: 'body' },
  'compose:open': { provider: 'gmail', window: 'frame', to: [], cc: [], bcc: [], canAttach: true },
  'providers:report': { provider: 'gmail', compose: 'ok', reader: 'idle' },
  'reader:open': { ticket: 't' },
  'reader:remote': { ticket: 't', scope: 'sender' },
  'compose:get': { ticket: 't' },
  'compose:recipients': { addresses: ['b@example.test'] },
  'compose:save-draft': { ticket: 't', ...DRAFT },
  'compose:send': { ticket: 't', send: true, ...DRAFT },
  'compose:cancel': { ticket: 't' },
  'compose:reply': { ticket: 't', mode: 'reply' },
  'frame:resize': { ticket: 't', height: 120 },
  'vault:open-unlock': {},
  'providers:status': { tabId: 9 },
  'sites:list': {},
  'sites:enable': { origin: 'https://mail.example.org', tabId: 9 },
  'sites:disable': { origin: 'https://mail.example.org' },
  'privacy:scan': {
    provider: 'roundcube',
    facts: {
      source: 'dom',
      fromName: 'Alice',
      fromAddress: 'alice@example.test',
      replyTo: [],
      sender: '',
      returnPath: '',
      authResults: [],
    },
    remote: ['https://tracker.example/p.gif'],
  },
  'compose:seeded': {},
  'privacy:leave': {},
  'privacy:get': { ticket: 't' },
  'privacy:allow': { ticket: 't', scope: 'once' },
  'privacy:senders-list': {},
  'privacy:senders-remove': { address: 'alice@example.test' },
};

type Kind = 'content' | 'page' | 'frame';
/**
 * Who may send what, written out by hand (not read from MESSAGES) so that a
 * change to the table must be made here too, on purpose.
 */
const ALLOWED: { [T in MessageType]: readonly Kind[] } = {
  'system:ping': ['content', 'page'],
  'ui:marker': ['page', 'frame'],
  'vault:status': ['page', 'frame'],
  'vault:create': ['page'],
  'vault:pending-recovery-code': ['page'],
  'vault:confirm-recovery-code': ['page'],
  'vault:unlock': ['page', 'frame'],
  'vault:recover': ['page'],
  'vault:lock': ['page', 'frame'],
  'vault:change-passphrase': ['page'],
  'vault:export-backup': ['page'],
  'vault:import-backup': ['page'],
  'identity:get': ['page', 'frame'],
  'contacts:list': ['page'],
  'contacts:import': ['page'],
  'contacts:verify': ['page'],
  'contacts:delete': ['page'],
  'settings:get': ['page'],
  'settings:set': ['page'],
  'message:decrypt': ['page', 'frame'],
  'directory:lookup': ['page'],
  'directory:publish': ['page'],
  'directory:check': ['page'],
  // Content scripts: ciphertext and page facts in, a ticket out (docs/webmail-integration.md).
  'reader:stage': ['content'],
  'compose:open': ['content'],
  'providers:report': ['content'],
  // Frames and the standalone compose window; tickets then bind them to a tab.
  'reader:open': ['page', 'frame'],
  'reader:remote': ['frame'],
  'compose:get': ['page', 'frame'],
  'compose:recipients': ['page', 'frame'],
  'compose:save-draft': ['page', 'frame'],
  'compose:send': ['page', 'frame'],
  'compose:cancel': ['page', 'frame'],
  'compose:reply': ['page', 'frame'],
  'frame:resize': ['frame'],
  'vault:open-unlock': ['page', 'frame'],
  'providers:status': ['page'],
  'sites:list': ['page'],
  'sites:enable': ['page'],
  'sites:disable': ['page'],
  'privacy:scan': ['content'],
  'privacy:leave': ['content'],
  'compose:seeded': ['content'],
  'privacy:get': ['page', 'frame'],
  'privacy:allow': ['page', 'frame'],
  'privacy:senders-list': ['page'],
  'privacy:senders-remove': ['page'],
};

const SENDERS: { kind: Kind; name: string; make: () => unknown }[] = [
  { kind: 'content', name: 'Chrome Gmail content script', make: chromeGmailContent },
  { kind: 'content', name: 'Firefox Outlook content script', make: firefoxOutlookContent },
  { kind: 'page', name: 'Chrome popup', make: chromePopup },
  { kind: 'page', name: 'Firefox popup', make: firefoxPopup },
  { kind: 'page', name: 'options tab', make: chromeOptionsTab },
  { kind: 'frame', name: 'compose frame in Gmail', make: chromeComposeFrame },
];

const TYPES = Object.keys(MESSAGES) as MessageType[];

function routerWithAllHandlers() {
  const handler = vi.fn(() => 'answered');
  const handlers = Object.fromEntries(TYPES.map((t) => [t, handler])) as unknown as SomeHandlers;
  const options = { handlers, onRefused: () => {}, onError: () => {} };
  const chrome = createRouter({ extensionId: CHROME_ID, extensionOrigin: CHROME_ORIGIN, ...options });
  const firefox = createRouter({ extensionId: FIREFOX_ID, extensionOrigin: FIREFOX_ORIGIN, ...options });
  // Each browser's senders reach that browser's build (ids and origins differ).
  const route = (raw: unknown, sender: unknown) =>
    (sender as { id?: string }).id === FIREFOX_ID ? firefox(raw, sender) : chrome(raw, sender);
  return { route, handler };
}

describe('message sender policy', () => {
  it('has a sample for every message type', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...TYPES].sort());
    expect(TYPES.length).toBeGreaterThan(15);
  });

  it.each(TYPES)('%s: answered from exactly the senders it allows, forbidden for the rest', async (type) => {
    const { route, handler } = routerWithAllHandlers();
    for (const sender of SENDERS) {
      const answer = await route({ type, ...SAMPLES[type] }, sender.make());
      const expected = ALLOWED[type].includes(sender.kind)
        ? { ok: true, value: 'answered' }
        : { ok: false, code: 'forbidden', message: expect.any(String) };
      expect(answer, `${type} from ${sender.name}`).toEqual(expected);
    }
    const allowedCount = SENDERS.filter((s) => ALLOWED[type].includes(s.kind)).length;
    expect(handler).toHaveBeenCalledTimes(allowedCount);
  });

  it('the table says the same as the hand-written policy', () => {
    const kindOf = {
      'content-script': 'content',
      'extension-page': 'page',
      'extension-frame': 'frame',
    } as const;
    for (const type of TYPES) {
      expect(MESSAGES[type].senders.map((k) => kindOf[k]).sort(), type).toEqual([...ALLOWED[type]].sort());
    }
  });

  it('a content script may send only system:ping, the four webmail messages, privacy:scan and privacy:leave', () => {
    expect(TYPES.filter((t) => ALLOWED[t].includes('content')).sort()).toEqual(
      [
        'compose:open',
        'compose:seeded',
        'privacy:leave',
        'privacy:scan',
        'providers:report',
        'reader:stage',
        'system:ping',
      ].sort(),
    );
  });

  it('an extension frame in a webmail tab cannot export the backup, change keys or settings', () => {
    const frameAllowed = TYPES.filter((t) => MESSAGES[t].senders.includes('extension-frame'));
    for (const type of [
      'vault:export-backup',
      'vault:import-backup',
      'vault:change-passphrase',
      'vault:create',
      'contacts:import',
      'contacts:verify',
      'settings:set',
      'sites:enable',
    ] as const) {
      expect(frameAllowed).not.toContain(type);
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
