/**
 * The events of Registration's aggregates (DOMAIN 3.2.2) that other contexts consume: the only part
 * of Registration other contexts may import. Order events have the order id as source id,
 * SeatsAvailability events the conference id, SeatAssignments events the assignments id; each
 * stream is versioned from 0. Money is in integer cents, instants are ISO-8601 strings.
 */
import Type, { type Static } from 'typebox';
import type { MessageRegistry } from '../../platform/messages/registry.ts';

export const ORDER_SOURCE = 'Order';
export const SEATS_AVAILABILITY_SOURCE = 'SeatsAvailability';
export const SEAT_ASSIGNMENTS_SOURCE = 'SeatAssignments';

const Instant = Type.String({ description: 'ISO-8601 instant' });
const Cents = Type.Integer({ minimum: 0 });

/** `SeatQuantity` (DOMAIN 3.0); a signed delta where a list holds changes. */
export const SeatQuantity = Type.Object({ seatType: Type.String(), quantity: Type.Integer() });
export type SeatQuantity = Static<typeof SeatQuantity>;
const Seats = Type.Array(SeatQuantity);

export const PersonalInfo = Type.Object({ firstName: Type.String(), lastName: Type.String(), email: Type.String() });
export type PersonalInfo = Static<typeof PersonalInfo>;

const Reservation = Type.Object({ reservationExpiration: Instant, seats: Seats });

export const OrderLine = Type.Object({ seatType: Type.String(), unitPrice: Cents, quantity: Type.Integer({ minimum: 0 }), lineTotal: Cents });
export type OrderLine = Static<typeof OrderLine>;

export const OrderPlaced = Type.Object({ conferenceId: Type.String(), seats: Seats, reservationAutoExpiration: Instant, accessCode: Type.String() });
export type OrderPlaced = Static<typeof OrderPlaced>;
export const OrderTotalsCalculated = Type.Object({ total: Cents, lines: Type.Array(OrderLine), isFreeOfCharge: Type.Boolean() });
export type OrderTotalsCalculated = Static<typeof OrderTotalsCalculated>;

const Availability = { availableSeatsChanged: Seats, remaining: Seats };
export const SeatsReserved = Type.Object({ reservationId: Type.String(), reservationDetails: Seats, ...Availability });
export type SeatsReserved = Static<typeof SeatsReserved>;
export const SeatsReservationCancelled = Type.Object({ reservationId: Type.String(), ...Availability });
export const AvailableSeatsChanged = Type.Object({ seats: Seats, remaining: Seats, quotaVersion: Type.Integer() });

export const SeatAssignmentsCreated = Type.Object({
  orderId: Type.String(),
  conferenceId: Type.String(),
  seats: Type.Array(Type.Object({ position: Type.Integer({ minimum: 0 }), seatType: Type.String() })),
});
export type SeatAssignmentsCreated = Static<typeof SeatAssignmentsCreated>;
export const SeatAssigned = Type.Object({ position: Type.Integer({ minimum: 0 }), seatType: Type.String(), attendee: PersonalInfo });
export type SeatAssigned = Static<typeof SeatAssigned>;
export const SeatAssignmentUpdated = Type.Object({ position: Type.Integer({ minimum: 0 }), attendee: PersonalInfo });
export const SeatUnassigned = Type.Object({ position: Type.Integer({ minimum: 0 }) });

export const REJECTION_REASONS = ['OrderExpired', 'ReservationNotComplete', 'AmountMismatch'] as const;

export const OrderEvents = {
  OrderPlaced,
  OrderUpdated: Type.Object({ seats: Seats }),
  OrderPartiallyReserved: Reservation,
  OrderReservationCompleted: Reservation,
  OrderTotalsCalculated,
  OrderRegistrantAssigned: PersonalInfo,
  OrderConfirmed: Type.Object({ paymentId: Type.Optional(Type.String()) }),
  OrderConfirmationRejected: Type.Object({
    paymentId: Type.Optional(Type.String()),
    reason: Type.Enum(REJECTION_REASONS),
  }),
  OrderExpired: Type.Object({}),
} as const;
export type OrderEventType = keyof typeof OrderEvents;

export const SeatsAvailabilityEvents = {
  AvailableSeatsChanged,
  SeatsReserved,
  SeatsReservationCommitted: Type.Object({ reservationId: Type.String() }),
  SeatsReservationCancelled,
} as const;
export type SeatsAvailabilityEventType = keyof typeof SeatsAvailabilityEvents;

export const SeatAssignmentsEvents = { SeatAssignmentsCreated, SeatAssigned, SeatUnassigned, SeatAssignmentUpdated } as const;
export type SeatAssignmentsEventType = keyof typeof SeatAssignmentsEvents;

export function defineRegistrationEvents(registry: MessageRegistry): void {
  for (const events of [OrderEvents, SeatsAvailabilityEvents, SeatAssignmentsEvents]) {
    for (const [type, schema] of Object.entries(events)) registry.define({ type, kind: 'event', schema });
  }
}
