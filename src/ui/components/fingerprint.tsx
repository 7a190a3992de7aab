/** A fingerprint as grouped hex and as a QR code (issue #3, "Your key"). */
import { encode } from 'uqr';

export function Fingerprint({ value }: { value: string }) {
  return (
    <code class="fingerprint" data-testid="fingerprint">
      {value}
    </code>
  );
}

/** Drawn as SVG rectangles by Preact: no innerHTML, nothing remote. */
export function QrCode({ text, label }: { text: string; label: string }) {
  const { data, size } = encode(text, { ecc: 'M', border: 2 });
  const cells: preact.JSX.Element[] = [];
  for (const [y, row] of data.entries()) {
    for (const [x, on] of row.entries()) {
      if (on) cells.push(<rect key={`${x},${y}`} x={x} y={y} width="1" height="1" />);
    }
  }
  return (
    <svg class="qr" viewBox={`0 0 ${size} ${size}`} width="160" height="160" role="img" aria-label={label}>
      <rect width={size} height={size} fill="#fff" />
      <g fill="#000">{cells}</g>
    </svg>
  );
}
