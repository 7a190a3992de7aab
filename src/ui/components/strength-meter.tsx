/** The strength meter under a new passphrase (src/ui/passphrase-strength.ts decides). */

import { t } from '../i18n';
import { WEAK_BELOW } from '../passphrase-strength';

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
