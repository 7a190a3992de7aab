/**
 * The per-install security marker (issue #3): a pattern, a colour and a word
 * chosen at install and shown in every Cipherpost UI. A web page cannot read
 * it, so an imitation of a Cipherpost frame cannot show it.
 */
import { useEffect, useState } from 'preact/hooks';
import type { SecurityMarker as Marker } from '../../messaging/messages';
import { call } from '../api';
import { t } from '../i18n';

function Pattern({ marker }: { marker: Marker }) {
  const c = marker.color;
  const shapes: Record<string, preact.JSX.Element> = {
    stripes: (
      <g stroke={c} stroke-width="3">
        {[0, 6, 12, 18, 24].map((x) => (
          <line key={x} x1={x} y1="0" x2={x + 8} y2="24" />
        ))}
      </g>
    ),
    dots: (
      <g fill={c}>
        {[4, 12, 20].flatMap((x) =>
          [4, 12, 20].map((y) => <circle key={`${x}-${y}`} cx={x} cy={y} r="2.5" />),
        )}
      </g>
    ),
    checks: (
      <g fill={c}>
        {[0, 8, 16].flatMap((x) =>
          [0, 8, 16]
            .filter((y) => (x + y) % 16 === 0)
            .map((y) => <rect key={`${x}-${y}`} x={x} y={y} width="8" height="8" />),
        )}
      </g>
    ),
    waves: (
      <path d="M0 8 Q6 2 12 8 T24 8 M0 16 Q6 10 12 16 T24 16" stroke={c} stroke-width="2.5" fill="none" />
    ),
    rings: (
      <g stroke={c} stroke-width="2" fill="none">
        <circle cx="12" cy="12" r="4" />
        <circle cx="12" cy="12" r="9" />
      </g>
    ),
    zigzag: (
      <path
        d="M0 6 L6 12 L12 6 L18 12 L24 6 M0 14 L6 20 L12 14 L18 20 L24 14"
        stroke={c}
        stroke-width="2.5"
        fill="none"
      />
    ),
  };
  return (
    <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
      {shapes[marker.pattern] ?? shapes.dots}
    </svg>
  );
}

export function SecurityMarker() {
  const [marker, setMarker] = useState<Marker | null>(null);
  useEffect(() => {
    call({ type: 'ui:marker' }).then((r) => r.ok && setMarker(r.value));
  }, []);
  if (!marker) return null;
  return (
    <span
      class="marker"
      data-testid="security-marker"
      title={t('marker_title')}
      style={{ borderColor: marker.color }}
    >
      <Pattern marker={marker} />
      <span class="marker-word" style={{ color: marker.color }}>
        {marker.word}
      </span>
    </span>
  );
}
