/**
 * Loader for the published known-answer vectors in this directory (see
 * README.md for where each file comes from). The vectors are data copied from
 * their sources, never values computed here; this module only reads them.
 *
 * A loader that loads zero vectors must fail: a typo in a field name, a subset
 * that went missing or a file that was emptied would otherwise turn every
 * known-answer test into a test of nothing, and the suite would stay green.
 */
import { readFileSync } from 'node:fs';

/** Strict hex decoding: a string of an even number of hex digits (either case), nothing else. */
export function hexToBytes(value: unknown, what = 'hex'): Uint8Array {
  if (typeof value !== 'string') {
    throw new Error(`${what}: expected a hex string, got ${value === null ? 'null' : typeof value}`);
  }
  if (value.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(value)) {
    throw new Error(`${what}: not an even-length hex string`);
  }
  const out = new Uint8Array(value.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(value.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Lower-case hex, for assertions whose failure output stays readable. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * Reads `file` (relative to this directory), checks that it names its
 * `source`, and returns the cases that `pick` extracts from the parsed JSON.
 * `pick` receives `hexToBytes` to turn the published hex into bytes.
 * Throws if `pick` returns anything but a non-empty array.
 */
export function loadVectors<T>(file: string, pick: (json: unknown, hex: typeof hexToBytes) => T[]): T[] {
  const path = new URL(file, new URL('.', import.meta.url));
  const json: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof json !== 'object' || json === null || !('source' in json) || !json.source) {
    throw new Error(`${file}: no top-level "source" field`);
  }
  const cases = pick(json, hexToBytes);
  if (!Array.isArray(cases) || cases.length === 0) {
    throw new Error(`${file}: loaded zero vectors`);
  }
  return cases;
}
