import { expect } from 'vitest';
import { messageHandlers } from '../../src/app/handlers.ts';
import { createMessageRegistry } from '../../src/app/registry.ts';
import type { Environment } from '../../src/config.ts';
import { type PublishedConference, createConference, writtenPosition } from '../support/conference-events.ts';
import type { StoreKind } from '../support/stores.ts';
import { type TestServer, testServerOn } from './server-fixture.ts';

/**
 * A real server running every handler of the worker (process manager, deciders, projections,
 * e-mails) with processing started, as `conference serve` runs them, over a fresh store.
 */
export async function ordersServer(kind: StoreKind, env: Environment = {}): Promise<TestServer> {
  const server = await testServerOn(kind, { registry: createMessageRegistry(), env: { DEMO_DATA: '0', ...env }, handlers: messageHandlers });
  server.processing!.start();
  return server;
}

/** Waits until every handler has dealt with everything written, including what they wrote themselves. */
export async function settle(server: TestServer, timeoutMs = 15_000): Promise<void> {
  for (let written = -1; ; ) {
    const head = await writtenPosition(server.store);
    if (head === written) return;
    written = head;
    for (const subscription of server.processing!.subscriptions) {
      expect(await server.processing!.waitFor(subscription.name, head, timeoutMs), subscription.name).toBe(true);
    }
  }
}

export interface SeatSpec {
  name: string;
  price: number;
  quantity: number;
}

let conferences = 0;

/** A published conference with these seat types, known to Registration (catalogue and quotas) once this answers. */
export async function publishedConference(
  server: TestServer,
  seats: SeatSpec[],
  options: { name?: string; published?: boolean; holdMinutes?: number } = {},
): Promise<PublishedConference & { slug: string; name: string }> {
  const slug = `Conf_${++conferences}_${Date.now().toString(36)}`;
  const name = options.name ?? `Conference ${conferences}`;
  const conference = await createConference(server.store, {
    conference: { slug, name, reservationHoldMinutes: options.holdMinutes ?? 15 },
    seats: seats.map((seat) => ({ ...seat, description: `${seat.name} seats` })),
    published: options.published,
  });
  await settle(server);
  return { ...conference, slug, name };
}

/** JSON requests to the server, with an order's access code when given. */
export function client(server: TestServer) {
  return async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, accessCode?: string) => {
    const response = await server.app.inject({
      method,
      url,
      ...(body === undefined ? {} : { payload: body as object }),
      headers: accessCode === undefined ? {} : { 'x-access-code': accessCode },
    });
    return { status: response.statusCode, headers: response.headers, body: response.body ? response.json() : undefined };
  };
}
