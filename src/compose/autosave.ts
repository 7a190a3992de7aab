/**
 * Autosave for the compose frame (issue 5): `compose:save-draft` about 3 s after the last
 * change (debounced), at once on blur, never when nothing changed since the last save,
 * and one save at a time (a change during a save is saved after it). Pure timing logic
 * with injectable timers: tested in test/compose/autosave.test.ts.
 */
import type { Timers } from '../reader/resize';

export const AUTOSAVE_DELAY_MS = 3000;

export interface Autosave {
  /** Something in the draft changed. */
  changed(): void;
  /** Save now if there are unsaved changes (blur, page hidden). */
  flush(): Promise<void>;
  /** No more saves (sent or cancelled). */
  stop(): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

export function createAutosave(
  save: () => Promise<void>,
  delayMs = AUTOSAVE_DELAY_MS,
  timers: Timers = realTimers,
): Autosave {
  let dirty = false;
  let timer: unknown = null;
  let running: Promise<void> | null = null;
  let stopped = false;

  const cancelTimer = () => {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
  };

  async function flush(): Promise<void> {
    cancelTimer();
    if (running) {
      await running;
      // The change that came during that save is saved by the next round.
    }
    if (stopped || !dirty) return;
    dirty = false;
    running = save()
      .catch(() => {
        // The caller shows the failure; keep the draft marked unsaved for the next try.
        dirty = true;
      })
      .finally(() => {
        running = null;
      });
    await running;
  }

  return {
    changed() {
      if (stopped) return;
      dirty = true;
      cancelTimer();
      timer = timers.setTimeout(() => {
        timer = null;
        flush();
      }, delayMs);
    },
    flush,
    stop() {
      stopped = true;
      cancelTimer();
    },
  };
}
