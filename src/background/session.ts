/**
 * The unlocked session (issue #3). The vault key lives in the background's
 * memory, mirrored to `storage.session` so an MV3 service-worker restart does
 * not lock the user out; `storage.session` is memory-only and is emptied when
 * the browser restarts, so a browser restart always locks (docs/keyring.md).
 *
 * Auto-lock: every key operation `touch`es the session; an alarm checks once a
 * minute and locks after `autoLockMinutes` without activity. A restored mirror
 * that is already past its idle time is discarded, not resumed.
 */
import { HandlerError } from '../messaging/result';

/** The `storage.session` slice the session needs (Chrome and Firefox both have it). */
export interface SessionStorage {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(key: string): Promise<void>;
}

interface Mirror {
  key: string;
  lastActivity: number;
  autoLockMinutes: number;
}

const MIRROR_KEY = 'cipherpost-session';
/** Persisting lastActivity at most this often keeps storage writes cheap. */
const TOUCH_PERSIST_MS = 15_000;

export type LockListener = () => void;

export class Session {
  private key: Uint8Array | null = null;
  private lastActivity = 0;
  private persistedActivity = 0;
  private autoLockMinutes = 30;
  private readonly listeners = new Set<LockListener>();
  /** Settles when `restore` has run; key use waits for it, so no request races the restore. */
  private ready: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly storage: SessionStorage,
    private readonly now: () => number = Date.now,
  ) {}

  /** After a service-worker restart: resume the mirrored session unless it is stale. */
  restore(): Promise<boolean> {
    const restoring = this.doRestore();
    this.ready = restoring.catch(() => false);
    return restoring;
  }

  private async doRestore(): Promise<boolean> {
    const raw = (await this.storage.get(MIRROR_KEY))[MIRROR_KEY] as Mirror | undefined;
    if (!raw || typeof raw.key !== 'string') return false;
    if (this.now() - raw.lastActivity > raw.autoLockMinutes * 60_000) {
      await this.lock();
      return false;
    }
    this.key = Uint8Array.from(atob(raw.key), (c) => c.charCodeAt(0));
    this.lastActivity = raw.lastActivity;
    this.persistedActivity = raw.lastActivity;
    this.autoLockMinutes = raw.autoLockMinutes;
    return true;
  }

  async unlock(key: Uint8Array, autoLockMinutes: number): Promise<void> {
    this.key = key.slice();
    this.autoLockMinutes = autoLockMinutes;
    this.lastActivity = this.now();
    await this.persist();
  }

  async lock(): Promise<void> {
    this.key?.fill(0);
    this.key = null;
    await this.storage.remove(MIRROR_KEY);
    for (const l of this.listeners) l();
  }

  onLock(listener: LockListener): void {
    this.listeners.add(listener);
  }

  get unlocked(): boolean {
    return this.key !== null;
  }

  async isUnlocked(): Promise<boolean> {
    await this.ready;
    return this.key !== null;
  }

  /** The vault key for an operation, which counts as activity; `locked` otherwise. */
  async requireKey(): Promise<Uint8Array> {
    await this.ready;
    if (!this.key) throw new HandlerError('locked', 'Cipherpost is locked');
    await this.touch();
    return this.key;
  }

  /**
   * The key without counting as activity: for status polling, which must not
   * keep an open options page from ever auto-locking.
   */
  async peekKey(): Promise<Uint8Array | null> {
    await this.ready;
    return this.key;
  }

  async touch(): Promise<void> {
    this.lastActivity = this.now();
    if (this.lastActivity - this.persistedActivity > TOUCH_PERSIST_MS) await this.persist();
  }

  async setAutoLockMinutes(minutes: number): Promise<void> {
    this.autoLockMinutes = minutes;
    if (this.key) await this.persist();
  }

  /** Called by the alarm: locks when idle longer than the auto-lock time. */
  async checkIdle(): Promise<boolean> {
    if (this.key && this.now() - this.lastActivity > this.autoLockMinutes * 60_000) {
      await this.lock();
      return true;
    }
    return false;
  }

  private async persist(): Promise<void> {
    if (!this.key) return;
    let bin = '';
    for (const b of this.key) bin += String.fromCharCode(b);
    const mirror: Mirror = {
      key: btoa(bin),
      lastActivity: this.lastActivity,
      autoLockMinutes: this.autoLockMinutes,
    };
    await this.storage.set({ [MIRROR_KEY]: mirror });
    this.persistedActivity = this.lastActivity;
  }
}
