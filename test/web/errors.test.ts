import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, testServer } from './server-fixture.ts';

/** The error body of API.md, nothing more. */
function expectError(response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number, code: string) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = response.json() as { error: Record<string, unknown> };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(Object.keys(body.error).every((key) => ['code', 'message', 'fields'].includes(key))).toBe(true);
  return body.error as { code: string; message: string; fields?: Record<string, string> };
}

describe('the error contract', () => {
  let server: TestServer;
  const logLines: string[] = [];

  beforeAll(async () => {
    const logger = pino({ level: 'error' }, { write: (line: string) => void logLines.push(line) });
    server = await testServer({ logger });
    server.app.get('/api/test/boom', async () => {
      throw new Error('secret internals: password=hunter2');
    });
  });
  afterAll(() => server.close());

  const post = (url: string, payload: string, contentType = 'application/json') =>
    server.app.inject({ method: 'POST', url, payload, headers: { ...server.auth, 'content-type': contentType } });

  it('answers unknown routes with 404 not_found, pages and API alike', async () => {
    for (const url of ['/nowhere', '/api/nowhere', '/api/ops/nowhere?x=1', '/health/nope']) {
      expectError(await server.app.inject({ url }), 404, 'not_found');
    }
  });

  it('answers a known path with another method 405 method_not_allowed and Allow', async () => {
    const health = await server.app.inject({ method: 'POST', url: '/health' });
    expectError(health, 405, 'method_not_allowed');
    expect(health.headers.allow).toBe('GET, HEAD');
    // A concrete path matched against a parametric route, query string ignored.
    const retry = await server.app.inject({ method: 'DELETE', url: '/api/ops/dead-letters/abc-123/retry?x=1' });
    expectError(retry, 405, 'method_not_allowed');
    expect(retry.headers.allow).toBe('POST');
    expectError(await server.app.inject({ method: 'PUT', url: '/api/ops/messages' }), 405, 'method_not_allowed');
  });

  it('refuses bodies over 64 KiB with 413 payload_too_large', async () => {
    const big = JSON.stringify({ ids: ['x'.repeat(64 * 1024)] });
    expectError(await post('/api/ops/dead-letters/retry', big), 413, 'payload_too_large');
    // Just under the limit is read (and then judged on its content).
    const fits = JSON.stringify({ handler: 'h'.repeat(64 * 1024 - 20) });
    expect((await post('/api/ops/dead-letters/retry', fits)).statusCode).toBe(400);
  });

  it('refuses non-JSON bodies on JSON routes with 415 unsupported_media_type', async () => {
    expectError(await post('/api/ops/dead-letters/retry', 'handler=h', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type');
    expectError(await post('/api/ops/dead-letters/retry', '{"handler":"h"}', 'text/plain'), 415, 'unsupported_media_type');
    expectError(await post('/api/ops/dead-letters/retry', '<x/>', 'application/xml'), 415, 'unsupported_media_type');
    const withCharset = await post('/api/ops/dead-letters/retry', '{"handler":"h"}', 'application/json; charset=utf-8');
    expect(withCharset.statusCode).toBe(202);
  });

  it('answers invalid JSON with 400', async () => {
    expectError(await post('/api/ops/dead-letters/retry', '{"handler": '), 400, 'validation_failed');
    expectError(await post('/api/ops/dead-letters/retry', '{"__proto__": {"x": 1}}'), 400, 'validation_failed');
  });

  it('names each bad field of a query by its property name', async () => {
    const response = await server.app.inject({
      url: '/api/ops/messages?limit=1001&after=-1&from=yesterday&until=2024-01-01T00:00:00Z&colour=red',
      headers: server.auth,
    });
    const error = expectError(response, 400, 'validation_failed');
    expect(Object.keys(error.fields!).sort()).toEqual(['after', 'colour', 'from', 'limit']);
    for (const limit of ['0', 'abc', '5.5', '1e2', '']) {
      const bad = await server.app.inject({ url: `/api/ops/messages?limit=${limit}`, headers: server.auth });
      expect(expectError(bad, 400, 'validation_failed').fields).toHaveProperty('limit');
    }
    const kind = await server.app.inject({ url: '/api/ops/messages?kind=event,gossip', headers: server.auth });
    expect(expectError(kind, 400, 'validation_failed').fields).toEqual({ kind: expect.any(String) });
  });

  it('names each bad field of a body, nested ones by their path', async () => {
    const missing = await post('/api/ops/dead-letters/some-id/discard', '{}');
    expect(expectError(missing, 400, 'validation_failed').fields).toEqual({ reason: 'is required' });
    const wrong = await post('/api/ops/dead-letters/retry', JSON.stringify({ ids: ['a', ''], handler: 7, extra: true }));
    expect(Object.keys(expectError(wrong, 400, 'validation_failed').fields!).sort()).toEqual(['extra', 'handler', 'ids.1']);
    const notAnObject = await post('/api/ops/dead-letters/retry', '[1, 2]');
    expect(expectError(notAnObject, 400, 'validation_failed').fields).toEqual({ body: expect.any(String) });
  });

  it('answers missing credentials with 401 unauthorized', async () => {
    expectError(await server.app.inject({ url: '/api/ops/timers' }), 401, 'unauthorized');
  });

  it('answers a malformed URL with 400, not a 5xx', async () => {
    expect((await server.app.inject({ url: '/api/ops/dead-letters/%E0%A4%A/retry', method: 'POST' })).statusCode).toBeLessThan(500);
    expectError(await server.app.inject({ url: '/%' }), 400, 'validation_failed');
  });

  it('hides unexpected errors behind 500 internal and logs them with the request id', async () => {
    const response = await server.app.inject({ url: '/api/test/boom' });
    const error = expectError(response, 500, 'internal');
    expect(response.body).not.toContain('hunter2');
    expect(response.body).not.toContain('at ');
    expect(error).toEqual({ code: 'internal', message: 'An unexpected error occurred.' });
    const requestId = response.headers['x-request-id'];
    expect(requestId).toEqual(expect.any(String));
    const logged = logLines.map((line) => JSON.parse(line)).find((entry) => entry.reqId === requestId);
    expect(logged?.err?.message).toContain('hunter2');
  });

  it('gives every answer a request id, keeping a well-formed one from the caller', async () => {
    expect((await server.app.inject({ url: '/health' })).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect((await server.app.inject({ url: '/health', headers: { 'x-request-id': 'edge-42' } })).headers['x-request-id']).toBe('edge-42');
    expect((await server.app.inject({ url: '/health', headers: { 'x-request-id': 'bad id\n' } })).headers['x-request-id']).not.toBe('bad id\n');
  });
});
