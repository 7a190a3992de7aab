import { describe, expect, it } from 'vitest';
import { backoffDelay, beginAttempt, MAX_DELAY_MS, NO_ATTEMPTS } from '../../src/keyring/backoff';

describe('back-off policy', () => {
  it('gives three free attempts, then 1 s doubling up to 5 minutes', () => {
    expect([0, 1, 2].map(backoffDelay)).toEqual([0, 0, 0]);
    expect([3, 4, 5, 6].map(backoffDelay)).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay(11)).toBe(256_000);
    expect(backoffDelay(12)).toBe(MAX_DELAY_MS);
    expect(backoffDelay(10_000)).toBe(MAX_DELAY_MS);
  });

  it('counts an attempt before it runs and refuses one that comes too early', () => {
    let state = NO_ATTEMPTS;
    for (let i = 1; i <= 3; i++) {
      const { next, refused } = beginAttempt(state, 1000);
      expect(refused).toBeUndefined();
      state = next;
    }
    expect(state).toEqual({ failures: 3, notBefore: 2000 });
    const early = beginAttempt(state, 1500);
    expect(early.refused?.code).toBe('backoff');
    expect(early.refused?.retryAfterMs).toBe(500);
    expect(early.next).toEqual(state); // a refused attempt does not count
    expect(beginAttempt(state, 2000).next).toEqual({ failures: 4, notBefore: 4000 });
  });

  it('does not lock out for longer than the maximum when the clock goes back', () => {
    const state = { failures: 20, notBefore: 10_000_000_000 };
    const { next, refused } = beginAttempt(state, 1_000_000);
    expect(refused?.retryAfterMs).toBe(MAX_DELAY_MS);
    expect(next.notBefore).toBe(1_000_000 + MAX_DELAY_MS);
  });
});
