import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { type Conference, conferenceBySlug } from '../../src/contexts/conference-management/records.ts';
import { SESSION_COOKIE } from '../../src/web/sessions.ts';
import type { Store } from '../../src/platform/store/store.ts';
import { tables, uniqueSlug } from './management-fixture.ts';
import type { TestServer } from './server-fixture.ts';

const FORM = 'application/x-www-form-urlencoded';

/** The fields of the create form for a valid conference. */
export function conferenceForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ownerName: 'Olivia Owner',
    ownerEmail: 'olivia@example.com',
    name: 'CQRS Summit',
    tagline: 'Commands and queries, apart',
    slug: uniqueSlug(),
    location: 'Redmond, WA',
    twitterSearch: '#cqrs',
    description: 'Two days of event sourcing.',
    startDate: '2030-06-12',
    endDate: '2030-06-14',
    reservationHoldMinutes: '15',
    ...overrides,
  };
}

export const seatTypeForm = (overrides: Record<string, string> = {}) => ({
  name: 'General admission',
  description: 'Both days',
  quantity: '100',
  price: '199.00',
  ...overrides,
});

/**
 * A browser without JavaScript on a test server: it keeps the session cookie, and the CSRF token of
 * the last page it saw, which it sends with its forms (unless told not to).
 */
export class PageAgent {
  cookie = '';
  csrf = '';

  constructor(
    readonly server: TestServer,
    readonly remoteAddress = '127.0.0.1',
  ) {}

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.#remember(await this.server.app.inject({ method: 'GET', url, headers: this.#headers(headers), remoteAddress: this.remoteAddress }));
  }

  /** Posts a form, with the CSRF token unless `csrf` is false. */
  async post(url: string, fields: Record<string, string> = {}, { csrf = true, headers = {} }: { csrf?: boolean; headers?: Record<string, string> } = {}) {
    const payload = new URLSearchParams({ ...(csrf ? { _csrf: this.csrf } : {}), ...fields }).toString();
    const response = await this.server.app.inject({
      method: 'POST',
      url,
      payload,
      headers: this.#headers({ 'content-type': FORM, ...headers }),
      remoteAddress: this.remoteAddress,
    });
    return this.#remember(response);
  }

  /** An htmx request: `HX-Request`, and the CSRF token in the header as the grid sends it. */
  htmxGet(url: string) {
    return this.get(url, { 'hx-request': 'true' });
  }

  htmxPost(url: string, fields: Record<string, string> = {}, { csrf = true } = {}) {
    return this.post(url, fields, { csrf: false, headers: { 'hx-request': 'true', ...(csrf ? { 'x-csrf-token': this.csrf } : {}) } });
  }

  #headers(extra: Record<string, string>): Record<string, string> {
    return { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', ...(this.cookie ? { cookie: this.cookie } : {}), ...extra };
  }

  #remember(response: LightMyRequestResponse): LightMyRequestResponse {
    const set = [response.headers['set-cookie'] ?? []].flat().find((cookie) => String(cookie).startsWith(`${SESSION_COOKIE}=`));
    if (set) this.cookie = String(set).split(';', 1)[0];
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body);
    if (token) this.csrf = token[1];
    return response;
  }

  /** Creates a conference through the create form (the session then holds it). */
  async createConference(overrides: Record<string, string> = {}): Promise<Conference> {
    const fields = conferenceForm(overrides);
    await this.get('/manage/create');
    const response = await this.post('/manage/create', fields);
    expect(response.statusCode, response.body).toBe(303);
    const conference = await conferenceBySlug(this.server.store.db, fields.slug);
    expect(response.headers.location).toBe(`/manage/${conference!.slug}/`);
    return conference!;
  }

  async logIn(email: string, accessCode: string): Promise<LightMyRequestResponse> {
    await this.get('/manage/locate');
    return this.post('/manage/locate', { email, accessCode });
  }
}

/** An HTML page of the sites, with its status. */
export function expectPage(response: LightMyRequestResponse, status: number): string {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(response.body.startsWith('<!doctype html><html lang="en">')).toBe(true);
  return response.body;
}

/** A redirect to the log-in page. */
export function expectLogin(response: LightMyRequestResponse): void {
  expect(response.statusCode, response.body).toBe(303);
  expect(response.headers.location).toBe('/manage/locate');
}

/**
 * Puts a seat type's figures in the seat sales summary, as Registration's events would leave them
 * (its projection does not exist yet).
 */
export async function recordSeatSales(store: Store, conferenceId: string, seatTypeId: string, figures: { sold: number; held: number; remaining: number }) {
  await tables(store)
    .insertInto('seat_sales')
    .values({ seat_type_id: seatTypeId, conference_id: conferenceId, ...figures, held_version: 0, remaining_version: 0, updated_at: new Date().toISOString() })
    .execute();
}
