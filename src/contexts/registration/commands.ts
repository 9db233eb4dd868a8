/**
 * Registration's commands (DOMAIN 3.2.1) as they are logged: the command's id is its message id.
 * Values a decider needs besides the payload (the time of handling, the hold, the unit prices) are
 * passed in by the handler and never logged; each decider declares them on its own command types.
 */
import Type, { type Static } from 'typebox';
import type { MessageRegistry } from '../../platform/messages/registry.ts';
import { PersonalInfo, SeatQuantity } from './contract.ts';

const Instant = Type.String({ description: 'ISO-8601 instant' });
const Seats = Type.Array(SeatQuantity);

export const RegisterToConference = Type.Object({
  orderId: Type.String(),
  conferenceId: Type.String(),
  seats: Seats,
  /** Generated at the edge; used only when the order is placed. */
  accessCode: Type.String(),
});
export type RegisterToConference = Static<typeof RegisterToConference>;

export const AssignRegistrantDetails = Type.Object({ orderId: Type.String(), firstName: Type.String(), lastName: Type.String(), email: Type.String() });
export type AssignRegistrantDetails = Static<typeof AssignRegistrantDetails>;

/** With `paymentId` and `paidAmount` from the process manager; without them for a zero-cost order. */
export const ConfirmOrder = Type.Object({ orderId: Type.String(), paymentId: Type.Optional(Type.String()), paidAmount: Type.Optional(Type.Integer({ minimum: 0 })) });
export type ConfirmOrder = Static<typeof ConfirmOrder>;

export const MarkSeatsAsReserved = Type.Object({ orderId: Type.String(), seats: Seats, expiration: Instant });
export type MarkSeatsAsReserved = Static<typeof MarkSeatsAsReserved>;

export const RejectOrder = Type.Object({ orderId: Type.String() });
export type RejectOrder = Static<typeof RejectOrder>;

/** `reservationId` = the order id; `deadline` = the order's `ReservationAutoExpiration`. */
export const MakeSeatReservation = Type.Object({ conferenceId: Type.String(), reservationId: Type.String(), seats: Seats, deadline: Instant });
export type MakeSeatReservation = Static<typeof MakeSeatReservation>;

export const CommitSeatReservation = Type.Object({ conferenceId: Type.String(), reservationId: Type.String() });
export type CommitSeatReservation = Static<typeof CommitSeatReservation>;

export const CancelSeatReservation = Type.Object({ conferenceId: Type.String(), reservationId: Type.String() });
export type CancelSeatReservation = Static<typeof CancelSeatReservation>;

/** The absolute quota of a seat type; `quotaVersion` = version of the `SeatCreated`/`SeatUpdated` it comes from. */
export const SetSeatTypeQuota = Type.Object({ conferenceId: Type.String(), seatType: Type.String(), quantity: Type.Integer({ minimum: 0 }), quotaVersion: Type.Integer() });
export type SetSeatTypeQuota = Static<typeof SetSeatTypeQuota>;

export const AssignSeat = Type.Object({ seatAssignmentsId: Type.String(), position: Type.Integer({ minimum: 0 }), attendee: PersonalInfo });
export type AssignSeat = Static<typeof AssignSeat>;

export const UnassignSeat = Type.Object({ seatAssignmentsId: Type.String(), position: Type.Integer({ minimum: 0 }) });
export type UnassignSeat = Static<typeof UnassignSeat>;

/** Sent by the durable timer the process manager schedules; `processId` = the order id. */
export const ExpireRegistrationProcess = Type.Object({ processId: Type.String() });
export type ExpireRegistrationProcess = Static<typeof ExpireRegistrationProcess>;

export const RegistrationCommands = {
  RegisterToConference,
  AssignRegistrantDetails,
  ConfirmOrder,
  MarkSeatsAsReserved,
  RejectOrder,
  MakeSeatReservation,
  CommitSeatReservation,
  CancelSeatReservation,
  SetSeatTypeQuota,
  AssignSeat,
  UnassignSeat,
  ExpireRegistrationProcess,
} as const;
export type RegistrationCommandType = keyof typeof RegistrationCommands;

export function defineRegistrationCommands(registry: MessageRegistry): void {
  for (const [type, schema] of Object.entries(RegistrationCommands)) registry.define({ type, kind: 'command', schema });
}
