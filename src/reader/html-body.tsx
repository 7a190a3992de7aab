/**
 * An HTML body: sanitized (sanitize.ts), then shown in an iframe with
 * `sandbox="allow-same-origin"` and no allow-scripts, whose document starts with a strict
 * CSP (srcdoc.ts). Same-origin lets this frame measure the document to size the iframe
 * and catch link clicks: links open in a new tab from here with noopener/noreferrer, since
 * the sandbox (rightly) allows no popups of its own.
 *
 * The caller sanitizes (sanitizeHtmlReport, so it can also say what was blocked) and
 * passes the image origins of a render with remote images (issue 6): the srcdoc's CSP
 * then allows exactly those, and the frame is drawn anew for each render.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { t } from '../ui/i18n';
import { isSafeLink, sanitizerWorks } from './sanitize';
import { buildSrcdoc } from './srcdoc';

/** `safeHtml` and `imageOrigins` come from sanitizeHtmlReport (sanitize.ts). */
export function HtmlBody({ safeHtml, imageOrigins }: { safeHtml: string; imageOrigins: readonly string[] }) {
  const ref = useRef<HTMLIFrameElement>(null);
  const srcdoc = useMemo(() => buildSrcdoc(safeHtml, imageOrigins), [safeHtml, imageOrigins]);
  const [height, setHeight] = useState(80);

  useEffect(() => {
    const frame = ref.current;
    if (!frame) return;
    let observer: ResizeObserver | null = null;
    const onLoad = () => {
      const doc = frame.contentDocument;
      if (!doc) return;
      // The root's box, not scrollHeight (never less than the frame's own height).
      const measure = () => setHeight(Math.ceil(doc.documentElement.getBoundingClientRect().height));
      measure();
      observer?.disconnect();
      observer = new ResizeObserver(measure);
      observer.observe(doc.documentElement);
      if (doc.body) observer.observe(doc.body);
      // Images decode after load and change the height.
      doc.addEventListener('load', measure, true);
      doc.addEventListener('click', (event) => {
        const target = event.target as Element | null;
        const link = target?.closest?.('a[href]');
        if (!link) return;
        event.preventDefault();
        const href = link.getAttribute('href') ?? '';
        if (isSafeLink(href)) window.open(href, '_blank', 'noopener,noreferrer');
      });
    };
    frame.addEventListener('load', onLoad);
    return () => {
      frame.removeEventListener('load', onLoad);
      observer?.disconnect();
    };
  }, [srcdoc]);

  if (!sanitizerWorks()) {
    return (
      <p class="error" role="alert" id="body-html-refused">
        {t('reader_html_refused')}
      </p>
    );
  }
  return (
    <iframe
      ref={ref}
      id="body-html"
      class="body-html"
      title={t('reader_body_title')}
      sandbox="allow-same-origin"
      referrerpolicy="no-referrer"
      data-remote-images={imageOrigins.length > 0 ? 'true' : 'false'}
      srcdoc={srcdoc}
      style={{ height: `${height}px` }}
    />
  );
}
