/**
 * A fixed-window, in-memory store for @fastify/rate-limit (one instance, no
 * Redis). The plugin's own LocalStore hands every caller the same mutable
 * counter object, so requests that arrive together all read the final count
 * and all get 429 (seen with 25 concurrent lookups); this store answers each
 * increment with its own snapshot.
 */
interface Window {
  count: number;
  start: number;
}

type Callback = (err: Error | null, res?: { current: number; ttl: number }) => void;

export class MemoryRateStore {
  private readonly windows = new Map<string, Window>();
  private readonly maxKeys = 100_000;

  incr(key: string, cb: Callback, timeWindow: number): void {
    const now = Date.now();
    let w = this.windows.get(key);
    if (!w || w.start + timeWindow <= now) {
      if (!w && this.windows.size >= this.maxKeys) this.sweep(now, timeWindow);
      w = { count: 0, start: now };
      this.windows.set(key, w);
    }
    w.count++;
    cb(null, { current: w.count, ttl: w.start + timeWindow - now });
  }

  read(key: string, cb: Callback, timeWindow: number): void {
    const now = Date.now();
    const w = this.windows.get(key);
    if (!w || w.start + timeWindow <= now) cb(null, { current: 0, ttl: timeWindow });
    else cb(null, { current: w.count, ttl: w.start + timeWindow - now });
  }

  child(): MemoryRateStore {
    return this;
  }

  /** Drops expired windows; if all are live, the oldest half (a flood of distinct clients). */
  private sweep(now: number, timeWindow: number): void {
    for (const [k, w] of this.windows) if (w.start + timeWindow <= now) this.windows.delete(k);
    if (this.windows.size < this.maxKeys) return;
    let drop = this.windows.size / 2;
    for (const k of this.windows.keys()) {
      if (drop-- <= 0) break;
      this.windows.delete(k);
    }
  }
}

/**
 * The same over Redis, shared by every instance (REDIS_URL). One Lua call per
 * request: increment, start the window on the first hit, return count and TTL.
 * Unlike the plugin's RedisStore, `child` keeps one key space, so a `groupId`
 * spans routes (address and fingerprint lookups share one budget).
 */
const INCR_SCRIPT = `
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {c, ttl}`;

interface RedisLike {
  eval(script: string, keys: number, ...args: (string | number)[]): Promise<unknown>;
  get(key: string): Promise<string | null>;
  pttl(key: string): Promise<number>;
}

export class RedisRateStore {
  constructor(
    private readonly redis: RedisLike,
    private readonly prefix: string,
  ) {}

  incr(key: string, cb: Callback, timeWindow: number): void {
    this.redis.eval(INCR_SCRIPT, 1, this.prefix + key, timeWindow).then(
      (r) => {
        const [current, ttl] = r as [number, number];
        cb(null, { current, ttl });
      },
      (err: Error) => cb(err),
    );
  }

  read(key: string, cb: Callback, timeWindow: number): void {
    Promise.all([this.redis.get(this.prefix + key), this.redis.pttl(this.prefix + key)]).then(
      ([v, ttl]) => cb(null, { current: Number(v ?? 0), ttl: ttl > 0 ? ttl : timeWindow }),
      (err: Error) => cb(err),
    );
  }

  child(): RedisRateStore {
    return this;
  }
}
