import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_MIGRATIONS } from '../../src/app/migrations.ts';
import { Store } from '../../src/platform/store/store.ts';
import { CredentialLimits, FAILURES_PER_CLIENT, FAILURES_PER_TARGET } from '../../src/web/credential-limits.ts';
import { type RateLimitHitsTable, RateLimiter } from '../../src/web/rate-limiter.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';

const MINUTE = 60_000;

describe.each(STORE_KINDS)('rate limits on %s', (kind) => {
  let location: StoreLocation;
  let store: Store;
  let now = new Date('2030-01-01T10:00:00.000Z');
  const clock = () => now;
  const later = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };

  beforeAll(async () => {
    location = await freshLocation(kind);
    store = await Store.open(location.dialect(), { migrations: APP_MIGRATIONS });
  });
  afterAll(async () => {
    await store?.close();
    await location?.drop();
  });

  const hits = () => (store.db as unknown as Kysely<{ rate_limit_hits: RateLimitHitsTable }>).selectFrom('rate_limit_hits').selectAll().execute();

  it('admits max hits per key in a sliding window and says when the next is admitted', async () => {
    const limiter = new RateLimiter(store, clock);
    const limit = { name: 'test-window', max: 3, windowMs: 10 * MINUTE };
    const key = [[limit, 'k']] as const;
    expect(await limiter.retryAfter(key)).toBe(0);
    await limiter.hit(key);
    later(2 * MINUTE);
    await limiter.hit(key);
    later(2 * MINUTE);
    expect(await limiter.retryAfter(key)).toBe(0);
    await limiter.hit(key);
    // Full: the oldest hit leaves the window 6 minutes from now.
    expect(await limiter.retryAfter(key)).toBe(6 * 60);
    expect(await limiter.retryAfter([[limit, 'other key']])).toBe(0);
    expect(await limiter.retryAfter([[{ ...limit, name: 'other limit' }, 'k']])).toBe(0);
    later(6 * MINUTE - 1500);
    expect(await limiter.retryAfter(key)).toBe(2);
    later(1500);
    expect(await limiter.retryAfter(key)).toBe(0);
    // The answer for several limits is the longest wait.
    await limiter.hit(key);
    const short = { name: 'test-short', max: 1, windowMs: MINUTE };
    await limiter.hit([[short, 'k']]);
    expect(await limiter.retryAfter([[short, 'k'], ...key])).toBe(2 * 60);
  });

  it('forgets hits that left their window', async () => {
    const limiter = new RateLimiter(store, clock);
    later(60 * MINUTE);
    await limiter.hit([[{ name: 'test-cleanup', max: 1, windowMs: MINUTE }, 'k']]);
    expect(await hits()).toEqual([{ bucket: 'test-cleanup|k', expires_at: new Date(now.getTime() + MINUTE).toISOString() }]);
  });

  it('limits credential failures per client and target (10) and per client (100) for 15 minutes', async () => {
    const limits = new CredentialLimits(new RateLimiter(store, clock));
    expect([FAILURES_PER_TARGET.max, FAILURES_PER_TARGET.windowMs, FAILURES_PER_CLIENT.max, FAILURES_PER_CLIENT.windowMs]).toEqual([10, 15 * MINUTE, 100, 15 * MINUTE]);
    for (let i = 0; i < 9; i++) await limits.failed('192.0.2.1', 'slug:a');
    expect(await limits.retryAfter('192.0.2.1', 'slug:a')).toBe(0);
    await limits.failed('192.0.2.1', 'slug:a');
    expect(await limits.retryAfter('192.0.2.1', 'slug:a')).toBe(15 * 60);
    expect(await limits.retryAfter('192.0.2.1', 'slug:b')).toBe(0);
    expect(await limits.retryAfter('192.0.2.2', 'slug:a')).toBe(0);
    for (let target = 0; target < 90; target++) await limits.failed('192.0.2.1', `email:${target}@example.com`);
    expect(await limits.retryAfter('192.0.2.1', 'slug:b')).toBe(15 * 60);
    later(15 * MINUTE);
    expect(await limits.retryAfter('192.0.2.1', 'slug:a')).toBe(0);
    expect(await limits.retryAfter('192.0.2.1', 'slug:b')).toBe(0);
  });
});
