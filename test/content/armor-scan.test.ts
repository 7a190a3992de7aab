// @vitest-environment happy-dom
/**
 * The content script's marker scan finds armored blocks through what webmails do
 * to them (test/crypto/manglers.ts), and the slice it returns is exactly what the
 * background's strict parser needs: findArmored on the slice gives back the bytes.
 */
import { describe, expect, it } from 'vitest';
import { hasArmorBegin, normalizeForScan, scanArmor } from '../../src/content/armor-scan';
import { textOf } from '../../src/content/dom';
import { ARMOR_BEGIN, ARMOR_END, armor, armorPublicKey, findArmored } from '../../src/crypto/armor';
import { MANGLERS } from '../crypto/manglers';

const bytes = Uint8Array.from({ length: 700 }, (_, i) => (i * 131 + 7) & 0xff);
const armored = armor(bytes);

function decodes(slice: string): void {
  const found = findArmored(slice);
  expect(found).toHaveLength(1);
  expect(found[0]).toEqual(bytes);
}

describe('scanArmor on mangled text', () => {
  it.each(Object.keys(MANGLERS))('%s: one complete block whose slice decodes', (name) => {
    const mangled = `Hello Bob,\n\n${MANGLERS[name]!(armored)}\n\n-- \nAlice`;
    const hits = scanArmor(mangled);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.complete).toBe(true);
    expect(mangled.slice(hits[0]!.start, hits[0]!.end)).toContain(hits[0]!.armored.slice(0, 10));
    decodes(hits[0]!.armored);
  });

  it.each(Object.keys(MANGLERS))('%s: also through the DOM (textOf)', (name) => {
    const mangled = MANGLERS[name]!(armored);
    const div = document.createElement('div');
    if (/^(html|nbspEntity)/.test(name)) div.innerHTML = mangled;
    else {
      const pre = document.createElement('pre');
      pre.textContent = mangled;
      div.append(pre);
    }
    const hits = scanArmor(textOf(div));
    expect(hits).toHaveLength(1);
    decodes(hits[0]!.armored);
  });

  it('a marker broken by zero-width characters and NBSP is still found', () => {
    const text = `x ${ARMOR_BEGIN.replace('CIPHER', 'CI\u200bPHER').replace(' ', '\u00a0')}\nAAAA\n${ARMOR_END}`;
    expect(hasArmorBegin(text)).toBe(true);
    expect(scanArmor(text)).toHaveLength(1);
  });

  it('CRLF lines, trailing spaces', () => {
    const hits = scanArmor(armored.replace(/\n/g, ' \r\n'));
    expect(hits).toHaveLength(1);
    decodes(hits[0]!.armored);
  });

  it('a missing END is still returned, as incomplete: the background reports truncated', () => {
    const cut = armored.slice(0, armored.length - 200);
    const hits = scanArmor(`before\n${cut}`);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.complete).toBe(false);
    expect(findArmored(hits[0]!.armored)[0]).toMatchObject({ code: 'truncated' });
  });

  it('two blocks, the first cut off: two hits, only the second complete', () => {
    const cut = armored.slice(0, armored.indexOf(ARMOR_END));
    const hits = scanArmor(`${cut}\n> ${armored}`);
    expect(hits.map((h) => h.complete)).toEqual([false, true]);
    decodes(hits[1]!.armored);
  });

  it('public-key blocks and text without markers give nothing', () => {
    expect(scanArmor(armorPublicKey(bytes))).toEqual([]);
    expect(scanArmor('BEGIN CIPHERPOST MESSAGE without dashes')).toEqual([]);
    expect(hasArmorBegin('plain text')).toBe(false);
  });

  it('normalizeForScan maps every kept character back to the raw text', () => {
    const raw = 'a\u200bb&nbsp;c=\nd\r\ne';
    const { text, map } = normalizeForScan(raw);
    expect(text).toBe('ab cd\ne');
    for (let i = 0; i < text.length; i++) {
      const r = raw[map[i]!];
      expect(r === text[i] || (text[i] === ' ' && (r === '&' || r === '\u00a0'))).toBe(true);
    }
  });
});
