import { afterEach, describe, expect, it } from 'vitest';
import { createMessageRegistry } from '../../src/app/registry.ts';
import { newCommand, newEvent, originFromRequest } from '../../src/platform/messages/factory.ts';
import type { MessageHandler } from '../../src/platform/processing/handler.ts';
import { Timers } from '../../src/platform/processing/timers.ts';
import { type TestServer, testServer } from './server-fixture.ts';

const projector: MessageHandler = { name: 'projector', types: ['Ping'], sideEffects: false, handle: async () => {} };

describe('health, metrics and the OpenAPI document', () => {
  const servers: TestServer[] = [];
  const start = async (options: Parameters<typeof testServer>[0] = {}) => {
    const server = await testServer(options);
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  /** The value of one sample line, e.g. `name{label="x"}`; undefined when absent. */
  const sample = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it('answers /health while the process runs and /health/ready while the store answers', async () => {
    const server = await start();
    expect((await server.app.inject({ url: '/health' })).json()).toEqual({ status: 'ok' });
    const ready = await server.app.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok' });
    await server.store.close();
    const down = await server.app.inject({ url: '/health/ready' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ error: { code: 'unavailable', message: expect.any(String) } });
    expect((await server.app.inject({ url: '/health' })).statusCode).toBe(200);
  });

  it('needs the operator token for /metrics unless METRICS_PUBLIC=1', async () => {
    const guarded = await start();
    expect((await guarded.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect((await guarded.app.inject({ url: '/metrics', headers: { authorization: 'Bearer nope' } })).json().error.code).toBe('unauthorized');
    const allowed = await guarded.app.inject({ url: '/metrics', headers: guarded.auth });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.headers['content-type']).toMatch(/^text\/plain/);

    const open = await start({ env: { METRICS_PUBLIC: '1' } });
    expect((await open.app.inject({ url: '/metrics' })).statusCode).toBe(200);
  });

  it('exposes request, processing, dead-letter and timer metrics, read at scrape time', async () => {
    const server = await start({ handlers: [projector] });
    const { store } = server;
    await store.transaction((tx) =>
      store.append(tx, [0, 1].map((n) => newEvent('Ping', { n }, { sourceType: 'Pinger', sourceId: 'p', version: n, origin: originFromRequest('p') }))),
    );
    await store.db
      .insertInto('dead_letters')
      .values({
        id: 'd1', handler: 'projector', position: 1, message_id: 'm1', type: 'Ping', source_key: 'Pinger:p', error: 'boom',
        attempts: 5, first_failed_at: new Date().toISOString(), last_failed_at: new Date().toISOString(), retry_requested: 0,
      })
      .execute();
    await store.transaction((tx) =>
      new Timers(store).schedule(tx, newCommand('ExpireOrder', {}, { target: 'o1', origin: originFromRequest('o1') }), new Date(Date.now() - 1000)),
    );
    await server.app.inject({ url: '/health' });
    await server.app.inject({ url: '/health' });
    await server.app.inject({ method: 'POST', url: '/api/ops/dead-letters/abc-123/retry', headers: server.auth });
    await server.app.inject({ url: '/no/such/page' });

    const text = (await server.app.inject({ url: '/metrics', headers: server.auth })).body;
    expect(sample(text, 'contoso_http_requests_total{method="GET",route="/health",status="200"}')).toBe(2);
    expect(sample(text, 'contoso_http_requests_total{method="POST",route="/api/ops/dead-letters/:id/retry",status="404"}')).toBe(1);
    expect(sample(text, 'contoso_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(text).not.toContain('abc-123');
    expect(text).not.toContain('/no/such/page');
    expect(sample(text, 'contoso_http_request_duration_seconds_count{method="GET",route="/health",status="200"}')).toBe(2);
    expect(sample(text, 'contoso_subscription_position{subscription="projector"}')).toBe(0);
    expect(sample(text, 'contoso_subscription_lag_messages{subscription="projector"}')).toBe(2);
    expect(sample(text, 'contoso_subscription_lag_seconds{subscription="projector"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'contoso_subscription_processed_total{subscription="projector"}')).toBe(0);
    expect(sample(text, 'contoso_subscription_failures_total{subscription="projector"}')).toBe(0);
    expect(sample(text, 'contoso_dead_letters{subscription="projector"}')).toBe(1);
    expect(sample(text, 'contoso_timers_due')).toBe(1);
    expect(sample(text, 'contoso_log_head_position')).toBeGreaterThan(0);
    expect(text).toContain('# TYPE contoso_subscription_processed_total counter');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_total_bytes');

    // Discarded: the next scrape reads the store again.
    await store.db.deleteFrom('dead_letters').execute();
    const after = (await server.app.inject({ url: '/metrics', headers: server.auth })).body;
    expect(sample(after, 'contoso_dead_letters{subscription="projector"}')).toBe(0);

    // Every server has its own registry.
    const other = await start({ env: { METRICS_PUBLIC: '1' } });
    const fresh = (await other.app.inject({ url: '/metrics' })).body;
    expect(sample(fresh, 'contoso_http_requests_total{method="GET",route="/health",status="200"}')).toBeUndefined();
  });

  it('exposes every read model\'s live version and lag from the store, also in a process that runs no handlers', async () => {
    const server = await start({ registry: createMessageRegistry() });
    expect(server.processing).toBeUndefined();
    const { store } = server;
    const written = await store.transaction((tx) =>
      store.append(tx, [0, 1, 2].map((n) => newEvent('OrderPlaced', { n }, { sourceType: 'Order', sourceId: `o${n}`, version: 0, origin: originFromRequest(`o${n}`) }))),
    );
    const scrape = async () => (await server.app.inject({ url: '/metrics', headers: server.auth })).body;
    let text = await scrape();
    expect(sample(text, 'contoso_read_model_lag_messages{read_model="draft-orders"}')).toBe(3);
    expect(sample(text, 'contoso_read_model_lag_messages{read_model="priced-orders"}')).toBe(3);
    expect(sample(text, 'contoso_read_model_lag_messages{read_model="payments"}')).toBe(0);
    expect(sample(text, 'contoso_read_model_lag_seconds{read_model="draft-orders"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'contoso_read_model_version{read_model="draft-orders"}')).toBe(1);

    // A worker elsewhere dealt with them: its checkpoint is in the store.
    const head = written[written.length - 1].metadata.position;
    await store.db.insertInto('checkpoints').values({ name: 'draft-orders', position: head, updated_at: new Date().toISOString() }).execute();
    text = await scrape();
    expect(sample(text, 'contoso_read_model_lag_messages{read_model="draft-orders"}')).toBe(0);
    expect(sample(text, 'contoso_read_model_lag_messages{read_model="priced-orders"}')).toBe(3);
  });

  it('serves an OpenAPI document where every route has tags and a summary, and its UI', async () => {
    const server = await start();
    const response = await server.app.inject({ url: '/api/docs/json' });
    expect(response.statusCode).toBe(200);
    const document = response.json() as { openapi: string; paths: Record<string, Record<string, { tags?: string[]; summary?: string }>> };
    expect(document.openapi).toMatch(/^3\./);
    const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    expect(operations.map(({ method, path }) => `${method.toUpperCase()} ${path}`)).toEqual(
      expect.arrayContaining([
        'GET /health',
        'GET /health/ready',
        'GET /metrics',
        'GET /api/ops/messages',
        'GET /api/ops/dead-letters',
        'POST /api/ops/dead-letters/{id}/retry',
        'POST /api/ops/dead-letters/retry',
        'POST /api/ops/dead-letters/{id}/discard',
        'GET /api/ops/timers',
      ]),
    );
    for (const { op } of operations) {
      expect(op.tags?.length).toBeGreaterThan(0);
      expect(op.summary).toBeTruthy();
    }
    const ui = await server.app.inject({ url: '/api/docs' });
    expect(ui.statusCode).toBeLessThan(400);
  });
});
