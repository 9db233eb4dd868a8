/**
 * Upcasters from the V1 event shapes (schema version 0, written by the V1 import) to the current
 * ones (DOMAIN 7.5 step 3): `$type`, `SourceId` and `Version` dropped, fields camelCased, money
 * fields in integer cents from their decimal text; `OrderTotalsCalculated.isFreeOfCharge` computed;
 * the legacy `OrderPaymentConfirmed` read as `OrderConfirmed {}`; values no single event can give
 * (`remaining` of availability events, `conferenceId` of `SeatAssignmentsCreated`) merged from the
 * entry's metadata `Derived`, which the importer computed.
 */
import type { Metadata } from '../../../platform/messages/envelope.ts';
import type { MessageRegistry, Upcaster } from '../../../platform/messages/registry.ts';
import { centsFromDollars } from './money.ts';
import { v2Fields } from './payload.ts';

/** Schema version of every payload the V1 import copies. */
export const V1_SCHEMA_VERSION = 0;

/** What the importer derives for an entry (metadata `Derived`). */
export interface V1Derived {
  /** Absolute remaining per changed seat type, from folding the V1 availability stream. */
  remaining?: Array<{ seatType: string; quantity: number }>;
  /** The conference of the order (`SeatAssignmentsCreated`). */
  conferenceId?: string;
}

const MONEY_FIELDS = new Set(['price', 'total', 'unitPrice', 'lineTotal', 'totalAmount']);

/** A V1 payload in V2 names, with money in cents. */
export function v1Fields(payload: unknown): Record<string, unknown> {
  return v2Fields(payload, (field, value) => (MONEY_FIELDS.has(field) ? centsFromDollars(value) : value));
}

function derived(metadata: Metadata): V1Derived {
  return (metadata.Derived ?? {}) as V1Derived;
}

function remainingOf(metadata: Metadata): Array<{ seatType: string; quantity: number }> {
  return derived(metadata).remaining ?? [];
}

type Convert = (fields: Record<string, unknown>, metadata: Metadata) => unknown;

const same: Convert = (fields) => fields;

/** The V1 event types and how their renamed fields become the current payload. */
const V1_EVENTS: Record<string, { toType?: string; convert: Convert }> = {
  // V1 data that breaks V2 rules is imported as it is, except that access codes are upper-cased.
  OrderPlaced: { convert: (fields) => ({ ...fields, accessCode: String(fields.accessCode ?? '').toUpperCase() }) },
  OrderUpdated: { convert: same },
  OrderPartiallyReserved: { convert: same },
  OrderReservationCompleted: { convert: same },
  OrderTotalsCalculated: {
    convert: (fields) => {
      const lines = (fields.lines ?? []) as Array<{ quantity: number }>;
      return { ...fields, lines, isFreeOfCharge: fields.total === 0 && lines.some((line) => line.quantity > 0) };
    },
  },
  OrderRegistrantAssigned: { convert: same },
  OrderConfirmed: { convert: () => ({}) },
  OrderPaymentConfirmed: { toType: 'OrderConfirmed', convert: () => ({}) },
  OrderExpired: { convert: () => ({}) },
  AvailableSeatsChanged: {
    // V1 availability changes are quota changes: version 0, so the next `SeatUpdated` (version 1) applies.
    convert: (fields, metadata) => ({ seats: fields.seats ?? [], remaining: remainingOf(metadata), quotaVersion: 0 }),
  },
  SeatsReserved: {
    convert: (fields, metadata) => ({
      reservationId: fields.reservationId,
      reservationDetails: fields.reservationDetails ?? [],
      availableSeatsChanged: fields.availableSeatsChanged ?? [],
      remaining: remainingOf(metadata),
    }),
  },
  SeatsReservationCommitted: { convert: same },
  SeatsReservationCancelled: {
    convert: (fields, metadata) => ({
      reservationId: fields.reservationId,
      availableSeatsChanged: fields.availableSeatsChanged ?? [],
      remaining: remainingOf(metadata),
    }),
  },
  SeatAssignmentsCreated: {
    convert: (fields, metadata) => {
      const conferenceId = derived(metadata).conferenceId;
      if (conferenceId === undefined) throw new Error('SeatAssignmentsCreated without a derived conferenceId');
      return { orderId: fields.orderId, conferenceId, seats: fields.seats ?? [] };
    },
  },
  SeatAssigned: { convert: same },
  SeatUnassigned: { convert: same },
  SeatAssignmentUpdated: { convert: same },
};

/** The V1 event type names the import copies. */
export const V1_EVENT_TYPES: readonly string[] = Object.keys(V1_EVENTS);

export function v1Upcasters(): Upcaster[] {
  return Object.entries(V1_EVENTS).map(([fromType, { toType, convert }]) => ({
    fromType,
    fromVersion: V1_SCHEMA_VERSION,
    toType,
    toVersion: 1,
    upcast: (data, metadata) => convert(v1Fields(data), metadata),
  }));
}

export function addV1Upcasters(registry: MessageRegistry): void {
  for (const upcaster of v1Upcasters()) registry.addUpcaster(upcaster);
}
