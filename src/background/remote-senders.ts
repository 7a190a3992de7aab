/**
 * "Always for this sender" (issue 6, docs/privacy.md): the From addresses whose
 * remote content the user chose to load every time, in `storage.local`
 * ('remoteSenders'), managed from the options page.
 *
 * Not secret (it is in storage.local next to the enabled sites, readable by no
 * web page), but bounded: at most MAX_SENDERS addresses, the oldest dropped.
 * Keyed to the From address the webmail shows or the headers say, which a
 * spoofer can copy: that is why an allowed sender's content is not loaded when
 * the sender checks say `danger` (privacy-handlers.ts).
 */
import type { MarkerStore } from './context';

export const REMOTE_SENDERS_KEY = 'remoteSenders';
export const MAX_SENDERS = 500;

/** Lower-case, trimmed, one `@`; '' when it is not an address. */
export function normalizeSender(raw: string): string {
  const address = raw.trim().toLowerCase();
  if (address.length > 320 || !/^[^\s@<>]+@[^\s@<>]+$/.test(address)) return '';
  return address;
}

export class RemoteSenders {
  private cached: string[] | undefined;

  constructor(private readonly local: MarkerStore) {}

  async list(): Promise<string[]> {
    if (!this.cached) {
      const raw = (await this.local.get(REMOTE_SENDERS_KEY))[REMOTE_SENDERS_KEY];
      this.cached = Array.isArray(raw)
        ? raw.filter((s): s is string => typeof s === 'string' && normalizeSender(s) === s)
        : [];
    }
    return [...this.cached];
  }

  async has(address: string): Promise<boolean> {
    const a = normalizeSender(address);
    return a !== '' && (await this.list()).includes(a);
  }

  /** Adds the address (moved to the end if present); false when it is not an address. */
  async add(address: string): Promise<boolean> {
    const a = normalizeSender(address);
    if (!a) return false;
    const list = (await this.list()).filter((s) => s !== a);
    list.push(a);
    await this.save(list.slice(-MAX_SENDERS));
    return true;
  }

  async remove(address: string): Promise<boolean> {
    const a = normalizeSender(address);
    const list = await this.list();
    if (!a || !list.includes(a)) return false;
    await this.save(list.filter((s) => s !== a));
    return true;
  }

  private async save(list: string[]): Promise<void> {
    await this.local.set({ [REMOTE_SENDERS_KEY]: list });
    this.cached = [...list];
  }
}
