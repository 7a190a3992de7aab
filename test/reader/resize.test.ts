/** frame:resize reports: throttled, latest height wins, nothing when unchanged. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHeightReporter } from '../../src/reader/resize';

describe('createHeightReporter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends the first height at once, then at most one per interval with the latest', () => {
    const sent: number[] = [];
    const r = createHeightReporter((h) => sent.push(h), 100);
    r.update(120);
    expect(sent).toEqual([120]);
    r.update(130);
    r.update(140.2);
    expect(sent).toEqual([120]);
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([120, 141]);
    vi.advanceTimersByTime(500);
    expect(sent).toEqual([120, 141]);
  });

  it('does not resend an unchanged height, and stops', () => {
    const sent: number[] = [];
    const r = createHeightReporter((h) => sent.push(h), 100);
    r.update(50);
    vi.advanceTimersByTime(100);
    r.update(50);
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([50]);
    r.update(60);
    r.stop();
    r.update(70);
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([50, 60]);
  });
});
