/**
 * Passphrase strength with zxcvbn-ts (a pattern-matching estimator, not a
 * character-class rule). Scores 0–2 are weak: onboarding warns and asks for an
 * explicit "use it anyway"; the vault's Argon2id makes guessing slow, not impossible.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

let factory: ZxcvbnFactory | undefined;

/** 0 (very weak) … 4 (very strong). `userInputs` (e.g. the address) count as guessable. */
export function passphraseScore(passphrase: string, userInputs: string[] = []): number {
  factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  return factory.check(passphrase, userInputs).score;
}

export const WEAK_BELOW = 3;
