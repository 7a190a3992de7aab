/**
 * Which provider a page is: a known webmail host by hostname, else Roundcube by
 * its DOM (it runs on any origin), else generic mode.
 */
import { generic } from './generic';
import { gmail } from './gmail';
import { outlook } from './outlook';
import { roundcube } from './roundcube';
import type { ProviderSpec } from './types';
import { yahoo } from './yahoo';

export type { ProviderSpec } from './types';
export const PROVIDERS: readonly ProviderSpec[] = [gmail, outlook, yahoo, roundcube, generic];

export function hostMatches(hostname: string, pattern: string): boolean {
  const host = hostname.toLowerCase();
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) || host === pattern.slice(2);
  return host === pattern;
}

export function pickProvider(location: Pick<Location, 'hostname'>, document: Document): ProviderSpec {
  for (const spec of PROVIDERS) {
    if (spec.hosts.some((pattern) => hostMatches(location.hostname, pattern))) return spec;
  }
  for (const spec of PROVIDERS) {
    if (spec.detect && document.querySelector(spec.detect)) return spec;
  }
  return generic;
}
