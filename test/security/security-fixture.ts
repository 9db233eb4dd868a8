import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Environment } from '../../src/config.ts';
import { storedLog } from '../support/stored-log.ts';
import { type ConferenceJson, ManagementClient, basic } from '../web/management-fixture.ts';
import { PageAgent } from '../web/management-pages-fixture.ts';
import { client } from '../web/orders-fixture.ts';
import { type PublishedConference, Registrant, type SeatTypeSpec, publishConference, registrationServer, settle } from '../web/registration-site-fixture.ts';
import type { TestServer } from '../web/server-fixture.ts';

export const PAID_SEATS: SeatTypeSpec = { name: 'Full pass', price: 10_000, quantity: 100 };
export const FREE_SEATS: SeatTypeSpec = { name: 'Community pass', price: 0, quantity: 100 };

/** An order placed and checked out through the API, with what its holder knows. */
export interface PlacedOrder {
  id: string;
  accessCode: string;
  email: string;
  conference: PublishedConference;
  /** The latest payment, with its one-time token (used when `accepted`). */
  payment?: { id: string; token: string };
}

let orders = 0;

/**
 * Places an order of one seat of the conference's first seat type and checks it out with a registrant
 * (so it can be located); a paid order's payment is accepted when `accept` is set.
 */
export async function placeOrder(
  server: TestServer,
  conference: PublishedConference,
  { accept = false, registrant }: { accept?: boolean; registrant?: { firstName: string; lastName: string; email: string } } = {},
): Promise<PlacedOrder> {
  const api = client(server);
  const placed = await api('POST', `/api/conferences/${conference.slug}/orders`, { seats: [{ seatTypeId: conference.seatTypeIds[0], quantity: 1 }] });
  expect(placed.status, JSON.stringify(placed.body)).toBe(202);
  const { id, accessCode } = placed.body as { id: string; accessCode: string };
  const reserved = await api('GET', `/api/orders/${id}?until=settled&waitMs=10000`, undefined, accessCode);
  expect(reserved.body.status).toBe('reserved');
  const person = registrant ?? { firstName: 'Ada', lastName: 'Lovelace', email: `buyer${++orders}@example.com` };
  const checkedOut = await api('POST', `/api/orders/${id}/checkout`, { registrant: person }, accessCode);
  expect(checkedOut.status, JSON.stringify(checkedOut.body)).toBe(202);
  const order: PlacedOrder = { id, accessCode, email: person.email, conference };
  const payment = (checkedOut.body as { payment?: { id: string; redirectUrl: string } }).payment;
  if (payment) {
    const token = new URL(payment.redirectUrl, 'http://localhost').searchParams.get('token')!;
    order.payment = { id: payment.id, token };
    if (accept) {
      const accepted = await api('POST', `/api/payments/${payment.id}/accept`, { token }, accessCode);
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    }
  }
  await settle(server);
  return order;
}

/**
 * Two published conferences, A and B (each with a paid and a free seat type), and orders:
 * `paid` (A, paid and confirmed), `pending` (A, payment initiated, not answered), `foreign` (B,
 * confirmed and free).
 */
export interface World {
  server: TestServer;
  a: PublishedConference;
  b: PublishedConference;
  paid: PlacedOrder;
  pending: PlacedOrder;
  foreign: PlacedOrder;
}

export async function buildWorld(env: Environment = {}): Promise<World> {
  const server = await registrationServer(env);
  server.processing!.start();
  const a = await publishConference(server, [PAID_SEATS, FREE_SEATS], { ownerEmail: 'owner.a@example.com' });
  const b = await publishConference(server, [FREE_SEATS, PAID_SEATS], { ownerEmail: 'owner.b@example.com' });
  const paid = await placeOrder(server, a, { accept: true });
  const pending = await placeOrder(server, a);
  const foreign = await placeOrder(server, b);
  return { server, a, b, paid, pending, foreign };
}

/** Basic credentials of a conference's owner. */
export const ownerOf = (conference: Pick<ConferenceJson, 'ownerEmail' | 'accessCode'>) => basic(conference.ownerEmail, conference.accessCode);

/** A registrant's browser that located the order (e-mail + access code), which grants it the order's pages. */
export async function holderOf(server: TestServer, order: PlacedOrder, remoteAddress = '127.0.0.1'): Promise<Registrant> {
  const browser = new Registrant(server, remoteAddress);
  await browser.get(`/${order.conference.slug}/order/find`);
  const found = await browser.post(`/${order.conference.slug}/order/find`, { email: order.email, accessCode: order.accessCode });
  expect(found.statusCode, found.body).toBe(303);
  expect(found.headers.location).toBe(`/${order.conference.slug}/order/${order.id}`);
  return browser;
}

/** A browser logged in to the management site of a conference. */
export async function managerOf(server: TestServer, conference: ConferenceJson, remoteAddress = '127.0.0.1'): Promise<PageAgent> {
  const agent = new PageAgent(server, remoteAddress);
  const response = await agent.logIn(conference.ownerEmail, conference.accessCode);
  expect(response.statusCode, response.body).toBe(303);
  return agent;
}

/** A browser logged in to the operator pages. */
export async function operatorOf(server: TestServer, remoteAddress = '127.0.0.1'): Promise<PageAgent> {
  const agent = new PageAgent(server, remoteAddress);
  await agent.get('/ops');
  const response = await agent.post('/ops', { token: server.config.operatorToken });
  expect(response.statusCode, response.body).toBe(303);
  return agent;
}

/** The message ids of the log, to prove a refused request wrote nothing. */
export async function logIds(server: TestServer): Promise<string[]> {
  return (await storedLog(server.store)).map((message) => message.metadata.messageId);
}

export { ManagementClient, PageAgent, Registrant, settle };

/** Every route of the app as `METHOD pattern`, read from Fastify's own route tree (`printRoutes`). */
export function routeTable(server: TestServer): Array<{ method: string; url: string }> {
  const tree = server.app.printRoutes({ commonPrefix: false });
  const routes: Array<{ method: string; url: string }> = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1].length / 4;
    stack.length = depth;
    const parent = stack.join('');
    const url = depth === 0 && match[2] === '/' ? '/' : `${parent}${depth === 0 || parent.endsWith('/') || match[2].startsWith('/') ? '' : '/'}${match[2]}`;
    stack.push(url.slice(parent.length));
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) routes.push({ method, url });
  }
  return routes;
}

export type Inject = (options: InjectOptions) => Promise<LightMyRequestResponse>;
