/**
 * The top line of the compose and reader frames: the name and the per-install security
 * marker, which a webmail page cannot read and so cannot imitate.
 */
import { SecurityMarker } from './security-marker';

export function FrameHeader({ title }: { title: string }) {
  return (
    <header class="header frame-header">
      <strong class="brand">Cipherpost</strong>
      <span class="frame-title">{title}</span>
      <SecurityMarker />
    </header>
  );
}
