import { describe, expect, it } from 'vitest';
import { passphraseScore, WEAK_BELOW } from '../../src/ui/passphrase-strength';

describe('passphrase strength (zxcvbn-ts)', () => {
  it.each(['password1', 'qwertyuiop', 'alice2026', 'Summer2024!', 'iloveyou123'])('%s is weak', (p) => {
    expect(passphraseScore(p)).toBeLessThan(WEAK_BELOW);
  });

  it.each([
    'orbit cactus lantern meadow',
    'quartz willow harbor ember',
    'correct horse battery staple violet',
  ])('%s is strong', (p) => {
    expect(passphraseScore(p)).toBeGreaterThanOrEqual(WEAK_BELOW);
  });

  it('counts the address as guessable', () => {
    expect(passphraseScore('alicebobexample', ['alicebobexample'])).toBeLessThan(
      passphraseScore('alicebobexample'),
    );
  });
});
