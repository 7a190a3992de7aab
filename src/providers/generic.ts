/**
 * Any site the user enabled that is no known webmail: no selectors. Generic mode
 * (src/content/generic.ts) scans the page's text for armored blocks and offers a
 * compose button on large editable fields; the compose opens in a standalone
 * window (docs/webmail-integration.md).
 */
import type { ProviderSpec } from './types';

export const generic: ProviderSpec = {
  id: 'generic',
  hosts: [],
  frames: [],
};
