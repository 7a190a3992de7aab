/**
 * Settings: one encrypted record (id "settings"). A vault without one reads as
 * the defaults; a field a later version adds reads as its default too.
 */
import { decodeJson, encodeJson, Fields } from './codec';
import { VaultError } from './errors';
import { openRecord, parseStored, sealRecord } from './record-crypto';
import { SETTINGS } from './schema';
import { retryOnConflict, type VaultDb } from './vault-db';
import type { VaultKey } from './vault-key';

export interface Settings {
  /** Lock the vault after this many minutes without use (1 … 1440). */
  readonly autoLockMinutes: number;
  /** The key directory's base URL (https, or http on loopback only). */
  readonly directoryUrl: string;
  /**
   * The directory's Ed25519 tree-head key, base64 (32 bytes), or '' while not
   * configured. Every lookup is checked against it (docs/transparency.md); it is
   * configured by the user, never learned from the directory itself.
   */
  readonly directoryPublicKey: string;
}

export const DEFAULT_SETTINGS: Settings = Object.freeze({
  autoLockMinutes: 30,
  directoryUrl: 'http://127.0.0.1:8787',
  directoryPublicKey: '',
});

const SETTINGS_ID = 'settings';
const SETTINGS_VERSION = 1;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function checkAutoLock(value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 1440) {
    throw new VaultError('invalid-input', 'settings: autoLockMinutes must be an integer from 1 to 1440');
  }
  return value as number;
}

/**
 * Plain http would let anyone on the network answer key lookups, so it is
 * allowed only for a directory on this machine (development, tests).
 */
function checkDirectoryUrl(value: unknown): string {
  let url: URL;
  try {
    url = new URL(value as string);
  } catch {
    throw new VaultError('invalid-input', 'settings: directoryUrl is not a URL');
  }
  const ok = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  if (typeof value !== 'string' || value.length > 2048 || !ok || url.username || url.password) {
    throw new VaultError('invalid-input', 'settings: directoryUrl must be https (or http on loopback)');
  }
  return value;
}

function checkDirectoryPublicKey(value: unknown): string {
  if (value === '') return '';
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]{43}=$/.test(value.trim())) {
    throw new VaultError('invalid-input', 'settings: directoryPublicKey must be 32 bytes in base64');
  }
  return value.trim();
}

function decodeSettings(bytes: Uint8Array): Settings {
  const f = new Fields(decodeJson(bytes, 'settings'), 'settings');
  return {
    autoLockMinutes: f.has('autoLockMinutes')
      ? f.int('autoLockMinutes', 1, 1440)
      : DEFAULT_SETTINGS.autoLockMinutes,
    directoryUrl: f.has('directoryUrl') ? f.string('directoryUrl', 2048) : DEFAULT_SETTINGS.directoryUrl,
    directoryPublicKey: f.has('directoryPublicKey')
      ? checkDirectoryPublicKey(f.string('directoryPublicKey', 64))
      : DEFAULT_SETTINGS.directoryPublicKey,
  };
}

export class VaultSettings {
  constructor(private readonly db: VaultDb) {}

  async get(key: VaultKey): Promise<Settings> {
    return (await this.read(key)).settings;
  }

  /** Changes the given fields, keeps the others. Returns the settings now stored. */
  async update(key: VaultKey, patch: Partial<Settings>): Promise<Settings> {
    const next: { -readonly [K in keyof Settings]?: Settings[K] } = {};
    if (patch.autoLockMinutes !== undefined) next.autoLockMinutes = checkAutoLock(patch.autoLockMinutes);
    if (patch.directoryUrl !== undefined) next.directoryUrl = checkDirectoryUrl(patch.directoryUrl);
    if (patch.directoryPublicKey !== undefined) {
      next.directoryPublicKey = checkDirectoryPublicKey(patch.directoryPublicKey);
    }
    return retryOnConflict(async () => {
      const { settings, subkeys, nonce } = await this.read(key);
      const updated: Settings = { ...settings, ...next };
      const record = await sealRecord(subkeys, SETTINGS, SETTINGS_ID, SETTINGS_VERSION, encodeJson(updated));
      await this.db.commit(subkeys, [{ store: SETTINGS, put: record, expect: nonce }], 'settings: update');
      return updated;
    });
  }

  private async read(key: VaultKey) {
    const { subkeys } = await this.db.keyed(key);
    const raw = await this.db.getRecord(SETTINGS, SETTINGS_ID);
    if (raw === undefined) return { settings: DEFAULT_SETTINGS, subkeys, nonce: null };
    const stored = parseStored(raw, SETTINGS);
    const settings = decodeSettings(await openRecord(subkeys, SETTINGS, stored, SETTINGS_VERSION));
    return { settings, subkeys, nonce: stored.nonce };
  }
}
