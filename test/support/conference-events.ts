import {
  CONFERENCE_SOURCE,
  type ConferenceEventType,
  type ConferenceSnapshot,
  SEAT_TYPE_SOURCE,
  type SeatTypeSnapshot,
} from '../../src/contexts/conference-management/contract.ts';
import type { LoggedMessage, Message } from '../../src/platform/messages/envelope.ts';
import { newEvent, originFromRequest } from '../../src/platform/messages/factory.ts';
import { newId } from '../../src/platform/messages/ids.ts';
import type { Store } from '../../src/platform/store/store.ts';

/**
 * Conference Management's integration events, built and written the way it writes them: outbox
 * entries (`newEvent`, versioned per source) appended in a store transaction.
 */

export function conferenceSnapshot(overrides: Partial<ConferenceSnapshot> = {}): ConferenceSnapshot {
  return {
    name: 'CQRS Summit',
    description: 'Two days of event sourcing.',
    location: 'Redmond, WA',
    slug: 'cqrs_summit',
    tagline: 'Commands and queries, apart',
    twitterSearch: null,
    startDate: '2030-06-12',
    endDate: '2030-06-14',
    owner: { name: 'Olivia Owner', email: 'olivia@example.com' },
    reservationHoldMinutes: 15,
    ...overrides,
  };
}

export function seatSnapshot(conferenceId: string, overrides: Partial<Omit<SeatTypeSnapshot, 'conferenceId'>> = {}): SeatTypeSnapshot {
  return { conferenceId, name: 'General admission', description: 'Both days', price: 19_900, quantity: 100, ...overrides };
}

/** A conference event: conference id as source id and correlation. */
export function conferenceEvent(
  type: Extract<ConferenceEventType, `Conference${string}`>,
  conferenceId: string,
  version: number,
  data: ConferenceSnapshot | Record<string, never> = {},
): Message {
  return newEvent(type, data, { sourceType: CONFERENCE_SOURCE, sourceId: conferenceId, version, origin: originFromRequest(conferenceId) });
}

/** A seat event: seat type id as source id, correlated with its conference. */
export function seatEvent(type: 'SeatCreated' | 'SeatUpdated', seatTypeId: string, version: number, data: SeatTypeSnapshot): Message {
  return newEvent(type, data, { sourceType: SEAT_TYPE_SOURCE, sourceId: seatTypeId, version, origin: originFromRequest(data.conferenceId) });
}

/** Appends outbox events in one transaction; answers them with their log positions. */
export function appendEvents(store: Store, events: Message[]): Promise<LoggedMessage[]> {
  return store.transaction((tx) => store.append(tx, events));
}

export interface PublishedConference {
  id: string;
  seatTypeIds: string[];
  /** Log position of the last event written. */
  position: number;
}

/**
 * Creates a conference and, when `published` (default), publishes it with its seat types as
 * Conference Management does at a first publication: `SeatCreated`s, then `ConferencePublished`.
 */
export async function createConference(
  store: Store,
  options: { conference?: Partial<ConferenceSnapshot>; seats?: Array<Partial<Omit<SeatTypeSnapshot, 'conferenceId'>>>; published?: boolean } = {},
): Promise<PublishedConference> {
  const id = newId();
  const seats = (options.seats ?? [{}]).map((seat) => ({ id: newId(), snapshot: seatSnapshot(id, seat) }));
  const events = [conferenceEvent('ConferenceCreated', id, 0, conferenceSnapshot(options.conference))];
  if (options.published ?? true) {
    events.push(...seats.map((seat) => seatEvent('SeatCreated', seat.id, 0, seat.snapshot)), conferenceEvent('ConferencePublished', id, 1));
  }
  const written = await appendEvents(store, events);
  return { id, seatTypeIds: seats.map((seat) => seat.id), position: written.at(-1)!.metadata.position };
}

/**
 * The highest log position written so far, visible to readers or not yet (on PostgreSQL an older
 * transaction, even of another test's database, may hold it back): what a test waits for.
 */
export async function writtenPosition(store: Store): Promise<number> {
  const row = await store.db.selectFrom('messages').select((eb) => eb.fn.max('position').as('written')).executeTakeFirst();
  return Number(row?.written ?? 0);
}
