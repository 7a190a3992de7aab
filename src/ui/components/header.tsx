/** Every Cipherpost page starts with the name, the lock state and the security marker. */
import type { VaultState } from '../../messaging/messages';
import { t } from '../i18n';
import { SecurityMarker } from './security-marker';

export function Header({ state }: { state: VaultState | 'loading' }) {
  return (
    <header class="header">
      <strong class="brand">Cipherpost</strong>
      <span class={`state state-${state}`} data-testid="vault-state" data-state={state}>
        {state === 'loading' ? '…' : t(`state_${state}`)}
      </span>
      <SecurityMarker />
    </header>
  );
}
