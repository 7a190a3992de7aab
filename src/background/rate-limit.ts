/**
 * Token buckets per key (a tab, or the extension's own pages). Decrypt requests
 * are limited per tab (issue #3) so that even a compromised frame cannot turn
 * the background into a fast decryption oracle (cf. Mailvelope CVE-2019-9149).
 */
export interface RateLimitOptions {
  /** Requests allowed in a burst. */
  burst: number;
  /** Tokens regained per second. */
  perSecond: number;
  now?: () => number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly now: () => number;
  constructor(private readonly options: RateLimitOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Takes one token for `key`; false when the bucket is empty. */
  take(key: string): boolean {
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.options.burst, at: now };
    const tokens = Math.min(this.options.burst, b.tokens + ((now - b.at) / 1000) * this.options.perSecond);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return false;
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > 1000) this.prune(now);
    return true;
  }

  private prune(now: number): void {
    const full = this.options.burst / this.options.perSecond;
    for (const [k, b] of this.buckets) if ((now - b.at) / 1000 > full) this.buckets.delete(k);
  }
}
