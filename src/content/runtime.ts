/**
 * The content script's runtime, for one top document.
 *
 *   MutationObserver (top document + the spec's same-origin frames)
 *        │  batched: one pass per frame/idle tick
 *        ▼
 *      pass ──► compose.scan   Encrypt buttons, overlays      (compose.ts)
 *           ──► reader.scan    reader:stage, reader frames    (reader.ts)
 *           ──► remote.scan    remote content, privacy banner (remote-content.ts)
 *           ──► generic.scan   generic mode only              (generic.ts)
 *           ──► reporter       providers:report on change     (report.ts)
 *
 *   background ──TabCommand──► handle() ──► compose / generic / reader
 *
 * Everything hangs off one AbortSignal: when it aborts (the extension was
 * reloaded or updated, or a newer copy of this script started), observers,
 * listeners and everything drawn go away.
 */
import type { TabCommand } from '../messaging/messages';
import type { ProviderSpec } from '../providers/types';
import { IS_E2E_BUILD } from '../shell/build-mode';
import { createCompose } from './compose';
import { type Answer, type ContentDeps, fail, ok } from './deps';
import { documentsOf, queryAllIn } from './dom';
import { createGeneric } from './generic';
import { createReader } from './reader';
import { createRemoteContent, type RemoteContentOptions } from './remote-content';
import { createReporter, expectationMet } from './report';

export interface Runtime {
  /** Runs a pass now (tests; normally mutations schedule one). */
  pass(): void;
  /** Schedules a pass on the next tick; many calls in one tick make one pass. */
  schedule(): void;
  handle(cmd: TabCommand): Promise<Answer>;
  compose: ReturnType<typeof createCompose>;
  reader: ReturnType<typeof createReader>;
  remote: ReturnType<typeof createRemoteContent>;
  generic: ReturnType<typeof createGeneric> | null;
}

export function startRuntime(
  doc: Document,
  provider: ProviderSpec,
  deps: ContentDeps,
  signal: AbortSignal,
  /** Sender facts and the tamper log of the privacy banner (main.ts passes the real ones). */
  privacy: RemoteContentOptions = {},
): Runtime {
  const compose = createCompose(provider, deps, signal);
  const reader = createReader(provider, deps, signal);
  const remote = createRemoteContent(provider, deps, signal, privacy, doc.defaultView);
  const generic = provider.id === 'generic' ? createGeneric(doc, reader, deps, signal) : null;
  const observed = new WeakSet<Document>();
  const watchedFrames = new WeakSet<Element>();
  const observers: MutationObserver[] = [];
  let scheduled = false;

  const schedule = () => {
    if (scheduled || signal.aborted) return;
    scheduled = true;
    deps.defer(() => {
      scheduled = false;
      if (!signal.aborted) pass();
    });
  };

  function observe(target: Document): void {
    if (observed.has(target)) return;
    observed.add(target);
    const view = target.defaultView ?? doc.defaultView;
    const Observer = view?.MutationObserver ?? MutationObserver;
    const observer = new Observer(schedule);
    observer.observe(target, { childList: true, subtree: true });
    observers.push(observer);
  }

  function pass(): void {
    if (signal.aborted) return;
    // e2e builds only (removed from production bundles): each pass's main-thread time
    // becomes a User Timing measure 'cipherpost:pass', read by bench/webmail.ts.
    const started = IS_E2E_BUILD ? doc.defaultView?.performance.now() : undefined;
    // A frame's new document (Roundcube loads each message into the same iframe).
    for (const selector of provider.frames) {
      for (const frame of doc.querySelectorAll(selector)) {
        if (watchedFrames.has(frame)) continue;
        watchedFrames.add(frame);
        frame.addEventListener('load', schedule, { signal });
      }
    }
    const docs = documentsOf(doc, provider.frames);
    for (const d of docs) observe(d);
    const composes = compose.scan(docs);
    // Remote content first: its DOM pass is synchronous, so a message's URLs are
    // neutralised in the same tick the reader first sees it.
    // A failure there must not stop reading and composing (nor the other way round).
    if (!generic) {
      try {
        remote.scan(docs);
      } catch (e) {
        privacy.log?.(`Cipherpost: remote-content scan failed: ${String(e)}`);
      }
    }
    const messages = generic ? generic.scan() : reader.scan(docs);
    reporter.update(
      { compose: composes > 0, reader: messages > 0 },
      {
        compose: expectationMet(provider.compose?.expected, docs),
        reader: expectationMet(provider.reader?.expected, docs),
      },
    );
    if (IS_E2E_BUILD && started !== undefined)
      doc.defaultView?.performance.measure('cipherpost:pass', { start: started });
  }

  const reporter = createReporter(provider.id, deps, schedule);

  async function handle(cmd: TabCommand): Promise<Answer> {
    switch (cmd.type) {
      case 'compose:insert':
        if (compose.openTickets().includes(cmd.ticket) || !generic) return compose.insert(cmd);
        return generic.insert(cmd);
      case 'compose:close':
        return ok({ closed: compose.close(cmd.ticket) });
      case 'frame:resize':
        return ok({
          resized: reader.resize(cmd.ticket, cmd.height) || remote.resize(cmd.ticket, cmd.height),
        });
      case 'compose:start': {
        const spec = provider.reader;
        if (!spec) return fail('not-found', 'this page has no reply button');
        const selector =
          cmd.mode === 'reply' ? spec.reply : cmd.mode === 'reply-all' ? spec.replyAll : spec.forward;
        // The top document's toolbar first (Roundcube), then the message frames.
        const button = queryAllIn(documentsOf(doc, provider.frames), selector).find(
          (el) => !el.classList.contains('disabled') && el.getAttribute('aria-disabled') !== 'true',
        ) as HTMLElement | undefined;
        if (!button) return fail('not-found', `no ${cmd.mode} button on this page`);
        button.click();
        return ok({ started: true });
      }
      case 'privacy:restore':
        return remote.restore(cmd.ticket)
          ? ok({ restored: true })
          : fail('not-found', 'no blocked content with this ticket');
    }
  }

  signal.addEventListener(
    'abort',
    () => {
      for (const observer of observers) observer.disconnect();
      compose.stop();
      reader.stop();
      remote.stop();
      generic?.stop();
    },
    { once: true },
  );

  pass();
  return { pass, schedule, handle, compose, reader, remote, generic };
}
