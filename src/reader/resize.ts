/**
 * The reader frame tells the content script how tall it is (`frame:resize`, forwarded by
 * the background), so the webmail shows the whole message without a second scrollbar.
 * Reports are throttled (at most one per interval, always the latest height) and skipped
 * when the height did not change.
 */

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

export interface HeightReporter {
  /** A new measured height; sent now or at the end of the current interval. */
  update(height: number): void;
  stop(): void;
}

export function createHeightReporter(
  send: (height: number) => void,
  intervalMs = 100,
  timers: Timers = realTimers,
): HeightReporter {
  let sent = -1;
  let latest = -1;
  let timer: unknown = null;
  let stopped = false;

  const flush = () => {
    timer = null;
    if (stopped || latest === sent) return;
    sent = latest;
    send(latest);
    // Anything measured during the next interval waits for its end.
    timer = timers.setTimeout(flush, intervalMs);
  };

  return {
    update(height) {
      if (stopped) return;
      latest = Math.max(0, Math.ceil(height));
      if (timer === null) flush();
    },
    stop() {
      stopped = true;
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
    },
  };
}

/** Watches the document's height and reports it; returns the stop function. */
export function watchDocumentHeight(send: (height: number) => void): () => void {
  const reporter = createHeightReporter(send);
  const root = document.documentElement;
  // The root's box, not scrollHeight: scrollHeight is never less than the iframe's
  // current height, so the frame could grow but never shrink.
  const measure = () => reporter.update(root.getBoundingClientRect().height);
  const observer = new ResizeObserver(measure);
  observer.observe(root);
  if (document.body) observer.observe(document.body);
  measure();
  return () => {
    observer.disconnect();
    reporter.stop();
  };
}
