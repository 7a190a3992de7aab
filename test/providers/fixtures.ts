/** Loads a provider fixture page (test/fixtures/providers/<provider>/<name>.html) as a Document. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, '../fixtures/providers');

export function fixtureHtml(provider: string, name: string): string {
  return readFileSync(join(FIXTURES, provider, `${name}.html`), 'utf8');
}

export function loadFixture(provider: string, name: string): Document {
  return new DOMParser().parseFromString(fixtureHtml(provider, name), 'text/html');
}
