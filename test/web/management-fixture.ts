import type { Kysely } from 'kysely';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { ConferenceManagementDatabase } from '../../src/contexts/conference-management/schema.ts';
import type { NotificationsDatabase } from '../../src/contexts/notifications/schema.ts';
import type { LoggedMessage } from '../../src/platform/messages/envelope.ts';
import type { Store } from '../../src/platform/store/store.ts';
import { storedLog } from '../support/stored-log.ts';
import type { TestServer } from './server-fixture.ts';

export const BASE = '/api/management/conferences';

let counter = 0;
/** A slug no other test of the file uses. */
export const uniqueSlug = (prefix = 'conf') => `${prefix}_${Date.now().toString(36)}_${++counter}`;

export function newConferenceBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ownerName: 'Olivia Owner',
    ownerEmail: 'olivia@example.com',
    name: 'CQRS Summit',
    slug: uniqueSlug(),
    description: 'Two days of event sourcing.',
    location: 'Redmond, WA',
    tagline: 'Commands and queries, apart',
    twitterSearch: '#cqrs',
    startDate: '2030-06-12',
    endDate: '2030-06-14',
    ...overrides,
  };
}

export const seatTypeBody = (overrides: Record<string, unknown> = {}) => ({
  name: 'General admission',
  description: 'Both days',
  quantity: 100,
  price: 19_900,
  ...overrides,
});

export function basic(user: string, password: string): { authorization: string } {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

export interface ConferenceJson {
  id: string;
  slug: string;
  accessCode: string;
  ownerEmail: string;
  isPublished: boolean;
  wasEverPublished: boolean;
  seatTypes: Array<{ id: string; name: string; quantity: number; sold: number; held: number; remaining: number; available: number }>;
  [field: string]: unknown;
}

/** A client of the management API on a test server, as the owner of conferences it created. */
export class ManagementClient {
  constructor(readonly server: TestServer) {}

  inject(options: InjectOptions): Promise<LightMyRequestResponse> {
    return this.server.app.inject(options);
  }

  async create(overrides: Record<string, unknown> = {}): Promise<ConferenceJson> {
    const response = await this.inject({ method: 'POST', url: BASE, payload: newConferenceBody(overrides) });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  }

  /** A request to `…/{slug}{path}` with the conference owner's credentials. */
  as(conference: Pick<ConferenceJson, 'slug' | 'ownerEmail' | 'accessCode'>, method: InjectOptions['method'], path = '', payload?: object) {
    return this.inject({ method, url: `${BASE}/${conference.slug}${path}`, headers: basic(conference.ownerEmail, conference.accessCode), ...(payload ? { payload } : {}) });
  }

  async addSeatType(conference: Pick<ConferenceJson, 'slug' | 'ownerEmail' | 'accessCode'>, overrides: Record<string, unknown> = {}): Promise<{ id: string }> {
    const response = await this.as(conference, 'POST', '/seat-types', seatTypeBody(overrides));
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  }
}

/** Conference Management's and the e-mail tables through the store's connection. */
export function tables(store: Store) {
  return store.db as unknown as Kysely<ConferenceManagementDatabase & NotificationsDatabase>;
}

/** Everything a refused request must leave as it was: the log and the context's tables. */
export async function storeState(store: Store) {
  const db = tables(store);
  return {
    log: (await storedLog(store)).map((message) => message.metadata.messageId),
    conferences: await db.selectFrom('conferences').selectAll().orderBy('id').execute(),
    seatTypes: await db.selectFrom('seat_types').selectAll().orderBy('id').execute(),
    emails: await db.selectFrom('emails').selectAll().orderBy('id').execute(),
  };
}

/** The log entries of a conference's flow (correlation = conference id), in log order. */
export function flowOf(store: Store, conferenceId: string): Promise<LoggedMessage[]> {
  return storedLog(store, conferenceId);
}
