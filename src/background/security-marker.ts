/**
 * The per-install security marker (issue #3): a pattern, a colour and a word
 * picked at install from the platform CSPRNG and kept in `storage.local`.
 * Web pages cannot read extension storage, so a page drawing an imitation of a
 * Cipherpost frame cannot show the user's marker. The background hands it only
 * to extension pages and frames (`ui:marker` in messages.ts), never to a
 * content script, whose answers a hostile page might observe.
 */
import { systemRandom } from '../crypto/random';
import type { SecurityMarker } from '../messaging/messages';

export const MARKER_PATTERNS = ['stripes', 'dots', 'checks', 'waves', 'rings', 'zigzag'] as const;
export const MARKER_COLORS = [
  '#c62828',
  '#ad1457',
  '#6a1b9a',
  '#283593',
  '#0277bd',
  '#00838f',
  '#2e7d32',
  '#9e9d24',
  '#ef6c00',
  '#4e342e',
  '#37474f',
  '#d81b60',
] as const;
/** Short, distinct, easy to remember words. */
export const MARKER_WORDS = [
  'anchor',
  'apple',
  'arrow',
  'autumn',
  'badger',
  'bamboo',
  'banjo',
  'beacon',
  'birch',
  'bison',
  'blossom',
  'boulder',
  'breeze',
  'bridge',
  'cactus',
  'candle',
  'canyon',
  'carbon',
  'cedar',
  'cello',
  'cherry',
  'cinder',
  'clover',
  'cobalt',
  'comet',
  'coral',
  'cotton',
  'crane',
  'crystal',
  'dahlia',
  'delta',
  'dolphin',
  'dragon',
  'dune',
  'eagle',
  'ember',
  'falcon',
  'fern',
  'fjord',
  'flint',
  'forest',
  'fossil',
  'garnet',
  'gecko',
  'geyser',
  'ginger',
  'glacier',
  'granite',
  'harbor',
  'hazel',
  'heron',
  'hickory',
  'honey',
  'horizon',
  'iris',
  'island',
  'ivory',
  'jasmine',
  'juniper',
  'kestrel',
  'lagoon',
  'lantern',
  'lava',
  'lemon',
  'lilac',
  'lotus',
  'lynx',
  'magnet',
  'maple',
  'marble',
  'meadow',
  'meteor',
  'mint',
  'mistral',
  'monsoon',
  'moss',
  'nebula',
  'nectar',
  'nutmeg',
  'oasis',
  'ocean',
  'olive',
  'onyx',
  'orchid',
  'otter',
  'paprika',
  'pebble',
  'pepper',
  'pigeon',
  'pine',
  'planet',
  'plum',
  'poppy',
  'prairie',
  'quartz',
  'quill',
  'raven',
  'reef',
  'river',
  'robin',
  'saffron',
  'sage',
  'salmon',
  'sapphire',
  'sequoia',
  'sierra',
  'silver',
  'sparrow',
  'spruce',
  'summit',
  'tango',
  'thistle',
  'thunder',
  'tiger',
  'topaz',
  'tulip',
  'tundra',
  'umber',
  'velvet',
  'violet',
  'walnut',
  'willow',
  'yarrow',
  'zephyr',
] as const;

/** Unbiased choice of an index below `n` (n ≤ 256) by rejection sampling. */
function pick<T>(items: readonly T[], random = systemRandom): T {
  const limit = 256 - (256 % items.length);
  for (;;) {
    const b = random(1)[0]!;
    if (b < limit) return items[b % items.length]!;
  }
}

export function newSecurityMarker(random = systemRandom): SecurityMarker {
  return {
    pattern: pick(MARKER_PATTERNS, random),
    color: pick(MARKER_COLORS, random),
    word: pick(MARKER_WORDS, random),
  };
}

export function isSecurityMarker(value: unknown): value is SecurityMarker {
  const v = value as SecurityMarker;
  return (
    typeof v === 'object' &&
    v !== null &&
    (MARKER_PATTERNS as readonly string[]).includes(v.pattern) &&
    (MARKER_COLORS as readonly string[]).includes(v.color) &&
    (MARKER_WORDS as readonly string[]).includes(v.word)
  );
}
