import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, testServer } from './server-fixture.ts';

/**
 * API.md Credentials: a wrong operator token (`/api/ops`, `/metrics`) counts as a failed credential
 * check; after 10 per client IP the next attempt answers 429 `rate_limited` with `Retry-After`.
 */
describe('operator token rate limit', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await testServer();
  });
  afterAll(() => server.close());

  const get = (url: string, headers: Record<string, string>, remoteAddress: string) => server.app.inject({ url, headers, remoteAddress });
  const wrong = { authorization: 'Bearer not-the-token' };

  it('answers 429 with Retry-After after 10 wrong tokens, even to the right one, on /api/ops and /metrics', async () => {
    const address = '198.51.100.1';
    for (let i = 0; i < 10; i++) expect((await get('/api/ops/timers', wrong, address)).statusCode).toBe(401);
    const limited = await get('/api/ops/timers', server.auth, address);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect((await get('/metrics', server.auth, address)).statusCode).toBe(429);
    // Other clients are not affected.
    expect((await get('/api/ops/timers', server.auth, '198.51.100.2')).statusCode).toBe(200);
  });

  it('counts wrong tokens only: the right token and a missing one leave the count alone', async () => {
    const address = '198.51.100.3';
    for (let i = 0; i < 9; i++) expect((await get('/api/ops/timers', wrong, address)).statusCode).toBe(401);
    for (let i = 0; i < 3; i++) {
      expect((await get('/api/ops/timers', server.auth, address)).statusCode).toBe(200);
      expect((await get('/api/ops/timers', {}, address)).statusCode).toBe(401);
    }
    expect((await get('/metrics', wrong, address)).statusCode).toBe(401);
    expect((await get('/metrics', server.auth, address)).statusCode).toBe(429);
  });
});
