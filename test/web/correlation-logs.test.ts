import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageHandlers } from '../../src/app/handlers.ts';
import { createMessageRegistry } from '../../src/app/registry.ts';
import { newId } from '../../src/platform/messages/ids.ts';
import type { MessageHandler } from '../../src/platform/processing/handler.ts';
import { eventually } from '../support/eventually.ts';
import { client, publishedConference, settle } from './orders-fixture.ts';
import { type TestServer, testServerOn } from './server-fixture.ts';

/** A handler that cannot handle any placed order: its log lines must say which order. */
const failingOnOrders: MessageHandler = {
  name: 'failing-on-orders',
  types: ['OrderPlaced'],
  sideEffects: false,
  async handle() {
    throw new Error('cannot handle this order');
  },
};

/** The server's log lines, as JSON. */
function recordingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

describe('log lines of requests about an order', () => {
  let server: TestServer;
  const { lines, logger } = recordingLogger();

  beforeAll(async () => {
    server = await testServerOn('sqlite', {
      registry: createMessageRegistry(),
      env: { DEMO_DATA: '0' },
      handlers: (dependencies) => [...messageHandlers(dependencies), failingOnOrders],
      logger,
    });
    server.processing!.start();
  });
  afterAll(() => server.close());

  it("carry the order's id — the correlation id of its messages — from placing it to reading it and in the handlers' failures", async () => {
    const conference = await publishedConference(server, [{ name: 'General admission', price: 0, quantity: 10 }]);
    const api = client(server);
    const orderId = newId();
    const placed = await api('POST', `/api/conferences/${conference.slug}/orders`, { orderId, seats: [{ seatTypeId: conference.seatTypeIds[0], quantity: 1 }] });
    expect(placed.status).toBe(202);
    const read = await api('GET', `/api/orders/${orderId}`, undefined, placed.body.accessCode);
    expect(read.status).toBe(200);
    await settle(server);

    const logged = await server.store.readLog({ after: 0, limit: 1000 });
    const correlated = logged.filter((message) => message.metadata.correlationId === orderId);
    expect(correlated.length).toBeGreaterThan(1);

    const completed = lines.filter((line) => line.msg === 'request completed' && line.correlationId === orderId);
    const requestIds = new Set(completed.map((line) => line.reqId));
    expect(requestIds.size).toBe(2);
    // The handler's failures and its dead letter name the order too.
    await eventually(() => lines.some((line) => line.msg === 'message dead-lettered' && line.correlationId === orderId), 20_000);
    const failures = lines.filter((line) => line.msg === 'handler failed' && line.handler === 'failing-on-orders');
    expect(failures.length).toBeGreaterThan(0);
    for (const line of failures) expect(line.correlationId).toBe(orderId);
    // Requests about no order carry none.
    expect(lines.filter((line) => line.msg === 'request completed' && line.correlationId !== undefined && line.correlationId !== orderId)).toEqual([]);
  });
});
