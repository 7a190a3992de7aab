/** Draft autosave timing: debounced ~3 s, at once on blur, never twice at the same time. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AUTOSAVE_DELAY_MS, createAutosave } from '../../src/compose/autosave';

describe('createAutosave', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('saves 3 s after the last change, once for a burst of changes', async () => {
    const save = vi.fn(async () => {});
    const a = createAutosave(save);
    expect(AUTOSAVE_DELAY_MS).toBe(3000);
    a.changed();
    await vi.advanceTimersByTimeAsync(2000);
    a.changed();
    await vi.advanceTimersByTimeAsync(2999);
    expect(save).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(save).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(save).toHaveBeenCalledTimes(1);
  });

  it('saves at once on flush (blur) and not again without a change', async () => {
    const save = vi.fn(async () => {});
    const a = createAutosave(save);
    await a.flush();
    expect(save).not.toHaveBeenCalled();
    a.changed();
    await a.flush();
    expect(save).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(save).toHaveBeenCalledTimes(1);
  });

  it('runs one save at a time; a change during a save is saved after it', async () => {
    let release!: () => void;
    let calls = 0;
    const save = vi.fn(() => {
      calls++;
      return calls === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
    });
    const a = createAutosave(save);
    a.changed();
    const first = a.flush();
    a.changed();
    const second = a.flush();
    expect(save).toHaveBeenCalledTimes(1);
    release();
    await first;
    await second;
    expect(save).toHaveBeenCalledTimes(2);
  });

  it('retries after a failed save, and stops for good', async () => {
    let fail = true;
    const save = vi.fn(async () => {
      if (fail) throw new Error('locked');
    });
    const a = createAutosave(save);
    a.changed();
    await a.flush();
    fail = false;
    await a.flush();
    expect(save).toHaveBeenCalledTimes(2);
    a.changed();
    a.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    await a.flush();
    expect(save).toHaveBeenCalledTimes(2);
  });
});
