import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { messageHandlers } from '../../src/app/handlers.ts';
import { createMessageRegistry } from '../../src/app/registry.ts';
import type { Environment } from '../../src/config.ts';
import { writtenPosition } from '../support/conference-events.ts';
import { ManagementClient, type ConferenceJson } from './management-fixture.ts';
import { type TestServer, testServer } from './server-fixture.ts';

/**
 * A real server running every handler (process manager, deciders, projections, e-mails), the way
 * `conference serve` runs them, over a fresh SQLite store.
 */
export function registrationServer(env: Environment = {}): Promise<TestServer> {
  return testServer({ registry: createMessageRegistry(), env: { CONFERENCE_CREATION_LIMIT: '0', DEMO_DATA: '0', ...env }, handlers: messageHandlers });
}

export interface SeatTypeSpec {
  name: string;
  price: number;
  quantity: number;
  description?: string;
}

export interface PublishedConference extends ConferenceJson {
  seatTypeIds: string[];
}

/** Creates and publishes a conference through the management API, and waits until every handler has caught up. */
export async function publishConference(server: TestServer, seats: SeatTypeSpec[], overrides: Record<string, unknown> = {}): Promise<PublishedConference> {
  const management = new ManagementClient(server);
  const conference = await management.create(overrides);
  const seatTypeIds: string[] = [];
  for (const seat of seats) seatTypeIds.push((await management.addSeatType(conference, { description: `${seat.name} seats`, ...seat })).id);
  const published = await management.as(conference, 'POST', '/publish');
  expect(published.statusCode, published.body).toBe(200);
  await settle(server);
  return { ...conference, seatTypeIds };
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

const FORM = 'application/x-www-form-urlencoded';

/**
 * A registrant's browser without JavaScript: it keeps every cookie the site sets (the session and
 * the public session), and the CSRF token of the last page it saw, which its forms send.
 */
export class Registrant {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(
    readonly server: TestServer,
    readonly remoteAddress = '127.0.0.1',
  ) {}

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.#remember(await this.server.app.inject({ method: 'GET', url, headers: this.#headers(), remoteAddress: this.remoteAddress }));
  }

  /** Posts a form, with the CSRF token unless `csrf` is false. */
  async post(url: string, fields: Record<string, string> = {}, { csrf = true } = {}): Promise<LightMyRequestResponse> {
    const payload = new URLSearchParams({ ...(csrf ? { _csrf: this.csrf } : {}), ...fields }).toString();
    const response = await this.server.app.inject({ method: 'POST', url, payload, headers: { ...this.#headers(), 'content-type': FORM }, remoteAddress: this.remoteAddress });
    return this.#remember(response);
  }

  /** Follows redirects from a response, as a browser does after a form. */
  async follow(response: LightMyRequestResponse, limit = 10): Promise<LightMyRequestResponse & { url: string }> {
    let current = response;
    let url = '';
    for (let hops = 0; current.statusCode >= 300 && current.statusCode < 400; hops++) {
      if (hops === limit) throw new Error(`more than ${limit} redirects`);
      url = String(current.headers.location);
      current = await this.get(url);
    }
    return Object.assign(current, { url });
  }

  #headers(): Record<string, string> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    return { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', ...(cookie ? { cookie } : {}) };
  }

  #remember(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const header of [response.headers['set-cookie'] ?? []].flat()) {
      const [pair] = String(header).split(';', 1);
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body);
    if (token) this.csrf = token[1];
    return response;
  }
}

/** The hidden fields and quantities of a seat-selection page, with the quantities given by seat-type id. */
export function seatSelectionForm(body: string, quantities: Record<string, number>): Record<string, string> {
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1] ?? '';
  const form: Record<string, string> = { orderId: field('orderId'), orderVersion: field('orderVersion') };
  for (const [seatTypeId, quantity] of Object.entries(quantities)) form[`quantity-${seatTypeId}`] = String(quantity);
  return form;
}
