/**
 * Passphrase strength with zxcvbn-ts (pattern-matching estimator, not a
 * character-class rule). Scores 0–2 are weak: the user is warned and must
 * confirm; the vault's Argon2id makes guessing slow, not impossible.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import { t } from '../i18n';

let factory: ZxcvbnFactory | undefined;

export function passphraseScore(passphrase: string, userInputs: string[] = []): number {
  factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  return factory.check(passphrase, userInputs).score;
}

export const WEAK_BELOW = 3;

export function StrengthMeter({ score }: { score: number }) {
  const labels = ['strength_0', 'strength_1', 'strength_2', 'strength_3', 'strength_4'];
  return (
    <div class="strength" data-testid="strength" data-score={score}>
      <meter min={0} max={4} low={2} high={3} optimum={4} value={score} />
      <span>{t(labels[score] ?? 'strength_0')}</span>
      {score < WEAK_BELOW && <p class="warning">{t('passphrase_weak_warning')}</p>}
    </div>
  );
}
