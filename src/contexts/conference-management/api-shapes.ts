import { Type } from 'typebox';
import type { Conference, SeatTypeWithFigures } from './records.ts';
import { RESERVED_SLUGS } from '../../web/reserved-slugs.ts';
import { CONFERENCE_TEXT, HOLD_MINUTES, SEAT_PRICE, SEAT_QUANTITY, SEAT_TYPE_TEXT, SLUG_MAX } from './rules.ts';

/**
 * Request and answer shapes of the management API (API.md Management), for validation and the
 * OpenAPI document. Bodies are checked for types and unknown fields here; every field rule (lengths,
 * patterns, ranges, with DOMAIN 3.1's messages) is rules.ts's, so text limits apply to the trimmed
 * value and are only described.
 */

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const text = (limit: { label: string; max: number; min?: number }, more = '') =>
  Type.String({ description: `${limit.label}: ${limit.min ? `${limit.min} to ` : 'at most '}${limit.max} characters, trimmed${more}` });
const date = (label: string) => Type.String({ description: `${label}: a calendar date YYYY-MM-DD` });
const Cents = (range: { min: number; max: number }) => Type.Integer({ minimum: range.min, maximum: range.max, description: 'Cents (USD)' });

const details = {
  name: text(CONFERENCE_TEXT.name),
  description: text(CONFERENCE_TEXT.description, '; line breaks allowed'),
  location: text(CONFERENCE_TEXT.location),
  tagline: Type.Optional(Nullable(text(CONFERENCE_TEXT.tagline))),
  twitterSearch: Type.Optional(Nullable(text(CONFERENCE_TEXT.twitterSearch))),
  startDate: date('Start date'),
  endDate: date('End date, on or after the start date'),
  reservationHoldMinutes: Type.Optional(
    Type.Integer({ minimum: HOLD_MINUTES.min, maximum: HOLD_MINUTES.max, default: HOLD_MINUTES.default, description: 'How long an order holds its seats' }),
  ),
};

export const NewConferenceBody = Type.Object(
  {
    ownerName: text(CONFERENCE_TEXT.ownerName),
    ownerEmail: Type.String({ description: 'The owner’s e-mail address: the user name of HTTP Basic' }),
    slug: Type.String({
      description: `^[A-Za-z0-9_]{1,${SLUG_MAX}}$, unique case-insensitively, none of ${RESERVED_SLUGS.join(', ')}; cannot be changed`,
    }),
    ...details,
  },
  { additionalProperties: false, description: '`currency` is always USD and is not accepted' },
);

export const ConferenceChange = Type.Object(
  {
    name: Type.Optional(details.name),
    description: Type.Optional(details.description),
    location: Type.Optional(details.location),
    tagline: details.tagline,
    twitterSearch: details.twitterSearch,
    startDate: Type.Optional(details.startDate),
    endDate: Type.Optional(details.endDate),
    reservationHoldMinutes: Type.Optional(Type.Integer({ minimum: HOLD_MINUTES.min, maximum: HOLD_MINUTES.max })),
  },
  { additionalProperties: false, description: 'Any editable field; slug, owner and currency cannot be changed. Never changes publication.' },
);

const seatTypeFields = {
  name: text(SEAT_TYPE_TEXT.name),
  description: text(SEAT_TYPE_TEXT.description),
  quantity: Type.Integer({ minimum: SEAT_QUANTITY.min, maximum: SEAT_QUANTITY.max, description: 'Quota' }),
  price: Cents(SEAT_PRICE),
};

export const NewSeatTypeBody = Type.Object(seatTypeFields, { additionalProperties: false });
export const SeatTypeChange = Type.Object(
  {
    name: Type.Optional(seatTypeFields.name),
    description: Type.Optional(seatTypeFields.description),
    quantity: Type.Optional(seatTypeFields.quantity),
    price: Type.Optional(seatTypeFields.price),
  },
  { additionalProperties: false, description: 'The fields to change; the quota may not go below the seats already sold' },
);

export const SlugParams = Type.Object({ slug: Type.String({ description: 'Conference slug, any case' }) });
export const SeatTypeParams = Type.Object({ slug: SlugParams.properties.slug, id: Type.String({ format: 'uuid', description: 'Seat type id' }) });

export const ORDER_STATUSES = ['pending', 'paid', 'expired'] as const;
export const OrdersQuery = Type.Object(
  {
    status: Type.Optional(Type.String({ maxLength: 100, default: 'pending,paid', description: `Comma-separated: ${ORDER_STATUSES.join(', ')}` })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    after: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The previous answer’s `next`' })),
  },
  { additionalProperties: false },
);

const seatFigures = {
  sold: Type.Integer({ description: 'Seats of confirmed orders' }),
  held: Type.Integer({ description: 'Seats in pending reservations' }),
  remaining: Type.Integer({ description: 'From availability; may be negative' }),
  available: Type.Integer({ description: 'max(remaining, 0)' }),
};

export const SeatTypeView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  quantity: Type.Integer(),
  price: Type.Integer({ description: 'Cents' }),
  ...seatFigures,
});

export const ConferenceView = Type.Object({
  id: Type.String(),
  slug: Type.String({ description: 'As stored' }),
  accessCode: Type.String(),
  ownerName: Type.String(),
  ownerEmail: Type.String(),
  name: Type.String(),
  tagline: Nullable(Type.String()),
  description: Type.String(),
  location: Type.String(),
  twitterSearch: Nullable(Type.String()),
  startDate: Type.String(),
  endDate: Type.String(),
  currency: Type.Literal('USD', { description: 'Read-only' }),
  reservationHoldMinutes: Type.Integer(),
  isPublished: Type.Boolean(),
  wasEverPublished: Type.Boolean(),
  seatTypes: Type.Array(SeatTypeView, { description: 'In creation order' }),
});

const Person = Type.Object({ firstName: Type.String(), lastName: Type.String(), email: Type.String() });

export const OrdersPage = Type.Object({
  orders: Type.Array(
    Type.Object({
      orderId: Type.String(),
      accessCode: Type.String(),
      status: Type.Union([Type.Literal('pending'), Type.Literal('paid'), Type.Literal('expired')]),
      total: Type.Integer(),
      refundedAmount: Type.Integer(),
      isFreeOfCharge: Type.Boolean(),
      registrant: Type.Union([Person, Type.Null()]),
      createdAt: Type.String({ format: 'date-time' }),
      seats: Type.Array(
        Type.Object({ position: Type.Integer(), seatTypeId: Type.String(), seatTypeName: Type.String(), attendee: Type.Union([Person, Type.Null()]) }),
      ),
    }),
    { description: 'Newest first' },
  ),
  next: Type.Union([Type.String(), Type.Null()], { description: 'The `after` of the next page; null at the end' }),
});

export const Stats = Type.Object({
  seatTypes: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), quantity: Type.Integer(), ...seatFigures })),
  salesOverTime: Type.Array(
    Type.Object({ date: Type.String({ description: 'UTC day YYYY-MM-DD' }), seatTypeId: Type.String(), seatTypeName: Type.String(), seatsSold: Type.Integer(), revenue: Type.Integer() }),
    { description: 'One entry per day and seat type with sales, by date' },
  ),
  totals: Type.Object({ seatsSold: Type.Integer(), revenue: Type.Integer() }),
});

export function seatTypeView(seatType: SeatTypeWithFigures) {
  const { id, name, description, quantity, price, sold, held, remaining, available } = seatType;
  return { id, name, description, quantity, price, sold, held, remaining, available };
}

export function conferenceView(conference: Conference, seatTypes: SeatTypeWithFigures[]) {
  return {
    id: conference.id,
    slug: conference.slug,
    accessCode: conference.accessCode,
    ownerName: conference.ownerName,
    ownerEmail: conference.ownerEmail,
    name: conference.name,
    tagline: conference.tagline,
    description: conference.description,
    location: conference.location,
    twitterSearch: conference.twitterSearch,
    startDate: conference.startDate,
    endDate: conference.endDate,
    currency: 'USD' as const,
    reservationHoldMinutes: conference.reservationHoldMinutes,
    isPublished: conference.isPublished,
    wasEverPublished: conference.wasEverPublished,
    seatTypes: seatTypes.map(seatTypeView),
  };
}
