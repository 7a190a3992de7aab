import { describe, expect, it } from 'vitest';
import { formatRecoveryCode, parseRecoveryCode } from '../../src/keyring';
import { generateRecoveryCode, RECOVERY_CODE_BYTES } from '../../src/keyring/recovery-code';
import { rejectsWith } from './helpers';

describe('recovery code', () => {
  it('is 160 bits shown as 8 groups of 4 Crockford symbols, and parses back', () => {
    for (let i = 0; i < 50; i++) {
      const bytes = generateRecoveryCode();
      expect(bytes.length * 8).toBe(160);
      const text = formatRecoveryCode(bytes);
      expect(text).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){7}$/);
      expect(parseRecoveryCode(text)).toEqual(bytes);
    }
  });

  it('encodes known bytes as Crockford base32', () => {
    expect(formatRecoveryCode(new Uint8Array(RECOVERY_CODE_BYTES))).toBe(
      '0000-0000-0000-0000-0000-0000-0000-0000',
    );
    expect(formatRecoveryCode(new Uint8Array(RECOVERY_CODE_BYTES).fill(0xff))).toBe(
      'ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ',
    );
    // 0x08 0x42 … : the first 10 bits 00001 00001 → "11".
    const b = new Uint8Array(RECOVERY_CODE_BYTES);
    b[0] = 0x08;
    b[1] = 0x40;
    expect(formatRecoveryCode(b).slice(0, 4)).toBe('1100');
  });

  it('normalises what a user types: case, spaces, dashes, O→0, I/L→1', () => {
    const bytes = generateRecoveryCode();
    const text = formatRecoveryCode(bytes);
    const sloppy = ` ${text.toLowerCase().replace(/-/g, ' ')} `;
    expect(parseRecoveryCode(sloppy)).toEqual(bytes);
    expect(parseRecoveryCode(text.replace(/-/g, ''))).toEqual(bytes);
    const zeros = formatRecoveryCode(new Uint8Array(RECOVERY_CODE_BYTES));
    expect(parseRecoveryCode(zeros.replace(/0/g, 'o'))).toEqual(new Uint8Array(RECOVERY_CODE_BYTES));
    const ones = parseRecoveryCode('1111-1111-1111-1111-1111-1111-1111-1111');
    expect(parseRecoveryCode('iiii-llll-IIII-LLLL-1111-iIlL-1111-1111')).toEqual(ones);
  });

  it('refuses malformed codes as wrong-recovery-code', async () => {
    const text = formatRecoveryCode(generateRecoveryCode());
    await rejectsWith(
      Promise.resolve().then(() => parseRecoveryCode(text.slice(0, -1))),
      'wrong-recovery-code',
    );
    await rejectsWith(
      Promise.resolve().then(() => parseRecoveryCode(`${text}0`)),
      'wrong-recovery-code',
    );
    await rejectsWith(
      Promise.resolve().then(() => parseRecoveryCode(text.replace(/.$/, 'U'))),
      'wrong-recovery-code',
    );
    await rejectsWith(
      Promise.resolve().then(() => parseRecoveryCode('')),
      'wrong-recovery-code',
    );
  });
});
