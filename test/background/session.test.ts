import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/background/rate-limit';
import { Session, type SessionStorage } from '../../src/background/session';

function memoryStorage(): SessionStorage & { data: Record<string, unknown> } {
  const data: Record<string, unknown> = {};
  return {
    data,
    get: async (k) => (k in data ? { [k]: structuredClone(data[k]) } : {}),
    set: async (items) => void Object.assign(data, structuredClone(items)),
    remove: async (k) => void delete data[k],
  };
}

const KEY = new Uint8Array(32).map((_, i) => i + 1);

describe('Session', () => {
  it('is locked until unlocked, and refuses key use while locked', async () => {
    const s = new Session(memoryStorage());
    expect(s.unlocked).toBe(false);
    await expect(s.requireKey()).rejects.toMatchObject({ code: 'locked' });
    await s.unlock(KEY, 30);
    expect(await s.requireKey()).toEqual(KEY);
  });

  it('survives a service-worker restart through storage.session', async () => {
    const storage = memoryStorage();
    await new Session(storage).unlock(KEY, 30);
    const restarted = new Session(storage);
    expect(await restarted.restore()).toBe(true);
    expect(await restarted.requireKey()).toEqual(KEY);
  });

  it('locks on a browser restart (storage.session is empty)', async () => {
    const restarted = new Session(memoryStorage());
    expect(await restarted.restore()).toBe(false);
    expect(restarted.unlocked).toBe(false);
  });

  it('auto-locks after the idle time, and activity postpones it', async () => {
    let now = 1_000_000;
    const storage = memoryStorage();
    const s = new Session(storage, () => now);
    await s.unlock(KEY, 30);
    now += 29 * 60_000;
    expect(await s.checkIdle()).toBe(false);
    await s.requireKey();
    now += 29 * 60_000;
    expect(await s.checkIdle()).toBe(false);
    now += 2 * 60_000;
    let locked = 0;
    s.onLock(() => locked++);
    expect(await s.checkIdle()).toBe(true);
    expect(s.unlocked).toBe(false);
    expect(locked).toBe(1);
    expect(storage.data).toEqual({});
  });

  it('status polling (peekKey) does not count as activity', async () => {
    let now = 1_000_000;
    const s = new Session(memoryStorage(), () => now);
    await s.unlock(KEY, 5);
    for (let i = 0; i < 10; i++) {
      now += 60_000;
      expect(await s.peekKey()).toEqual(KEY);
    }
    expect(await s.checkIdle()).toBe(true);
    expect(await s.peekKey()).toBeNull();
  });

  it('does not resume a mirrored session that is already past its idle time', async () => {
    let now = 5_000_000;
    const storage = memoryStorage();
    await new Session(storage, () => now).unlock(KEY, 10);
    now += 11 * 60_000;
    const restarted = new Session(storage, () => now);
    expect(await restarted.restore()).toBe(false);
    expect(storage.data).toEqual({});
  });

  it('wipes the key on lock', async () => {
    const storage = memoryStorage();
    const s = new Session(storage);
    await s.unlock(KEY, 30);
    const held = await s.requireKey();
    await s.lock();
    expect(held.every((b) => b === 0)).toBe(true);
    expect(KEY[0]).toBe(1);
  });
});

describe('RateLimiter', () => {
  it('allows a burst, then refills over time, per key', () => {
    let now = 0;
    const r = new RateLimiter({ burst: 3, perSecond: 1, now: () => now });
    expect([r.take('tab1'), r.take('tab1'), r.take('tab1'), r.take('tab1')]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(r.take('tab2')).toBe(true);
    now += 1000;
    expect(r.take('tab1')).toBe(true);
    expect(r.take('tab1')).toBe(false);
  });
});
