/**
 * Back-off after wrong passphrases. Three attempts are free; after the third
 * consecutive failure each attempt waits 1 s, doubling up to 5 minutes. The
 * state lives in the database (meta store, key "attempts"), so restarting the
 * service worker does not reset it.
 *
 * An attempt is counted *before* Argon2id runs and forgiven when it succeeds.
 * So parallel attempts cannot slip past the counter, and a worker killed in
 * the middle of an attempt still counts it.
 *
 * This slows guessing through the UI (someone at an unlocked computer); an
 * attacker with a copy of the database guesses offline, where only Argon2id's
 * cost helps (SECURITY.md).
 */
import { VaultError } from './errors';

export const FREE_ATTEMPTS = 3;
export const BASE_DELAY_MS = 1000;
export const MAX_DELAY_MS = 5 * 60 * 1000;

export interface AttemptState {
  /** Consecutive wrong (or unfinished) passphrase attempts. */
  readonly failures: number;
  /** Epoch milliseconds before which no attempt is allowed. */
  readonly notBefore: number;
}

export const NO_ATTEMPTS: AttemptState = Object.freeze({ failures: 0, notBefore: 0 });

/** The wait after `failures` consecutive failures. */
export function backoffDelay(failures: number): number {
  if (failures < FREE_ATTEMPTS) return 0;
  return Math.min(BASE_DELAY_MS * 2 ** Math.min(failures - FREE_ATTEMPTS, 30), MAX_DELAY_MS);
}

/** Milliseconds until the next attempt may start (0 when it may start now). */
export function retryAfterMs(state: AttemptState, now: number): number {
  return Math.max(0, Math.min(state.notBefore - now, MAX_DELAY_MS));
}

/**
 * Decides an attempt at time `now`. Returns the state to store and, when the
 * attempt must wait, the `backoff` error to throw after storing it.
 */
export function beginAttempt(state: AttemptState, now: number): { next: AttemptState; refused?: VaultError } {
  if (state.notBefore > now) {
    // A clock set back must not lock the user out for longer than the longest wait.
    const next =
      state.notBefore - now > MAX_DELAY_MS
        ? { failures: state.failures, notBefore: now + MAX_DELAY_MS }
        : state;
    const wait = retryAfterMs(next, now);
    return {
      next,
      refused: new VaultError('backoff', `too many wrong passphrases: wait ${Math.ceil(wait / 1000)} s`, {
        retryAfterMs: wait,
      }),
    };
  }
  const failures = state.failures + 1;
  return { next: { failures, notBefore: now + backoffDelay(failures) } };
}
