/**
 * The integration events Conference Management publishes (DOMAIN 3.1): the only part of this
 * context other contexts may import. Conference events have the conference id as source id; seat
 * events the seat type id. Each source is versioned from 0 (its `Created` event).
 */
import Type, { type Static } from 'typebox';
import type { MessageRegistry } from '../../platform/messages/registry.ts';

export const CONFERENCE_SOURCE = 'Conference';
export const SEAT_TYPE_SOURCE = 'SeatType';

const CalendarDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });

/** Full snapshot of a conference's public data (never its access code). */
export const ConferenceSnapshot = Type.Object({
  name: Type.String(),
  description: Type.String(),
  location: Type.String(),
  slug: Type.String(),
  tagline: Type.Union([Type.String(), Type.Null()]),
  twitterSearch: Type.Union([Type.String(), Type.Null()]),
  startDate: CalendarDate,
  endDate: CalendarDate,
  owner: Type.Object({ name: Type.String(), email: Type.String() }),
  reservationHoldMinutes: Type.Integer({ minimum: 5, maximum: 60 }),
});
export type ConferenceSnapshot = Static<typeof ConferenceSnapshot>;

export const NoPayload = Type.Object({});

/** Full snapshot of a seat type; `price` in cents. */
export const SeatTypeSnapshot = Type.Object({
  conferenceId: Type.String(),
  name: Type.String(),
  description: Type.String(),
  price: Type.Integer({ minimum: 0, maximum: 5_000_000 }),
  quantity: Type.Integer({ minimum: 0, maximum: 100_000 }),
});
export type SeatTypeSnapshot = Static<typeof SeatTypeSnapshot>;

export const ConferenceEvents = {
  ConferenceCreated: ConferenceSnapshot,
  ConferenceUpdated: ConferenceSnapshot,
  ConferencePublished: NoPayload,
  ConferenceUnpublished: NoPayload,
  SeatCreated: SeatTypeSnapshot,
  SeatUpdated: SeatTypeSnapshot,
} as const;
export type ConferenceEventType = keyof typeof ConferenceEvents;

export function defineConferenceEvents(registry: MessageRegistry): void {
  for (const [type, schema] of Object.entries(ConferenceEvents)) registry.define({ type, kind: 'event', schema });
}
