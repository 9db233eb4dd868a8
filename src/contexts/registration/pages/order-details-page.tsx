import type { DraftOrderState } from '../read-models/queries.ts';
import { ConferenceFrame, type ConferenceRef, type SeatLine, SeatLines } from './order-components.tsx';
import { registrationPaths } from './paths.ts';

/** The order's state as the registrant reads it. */
export const ORDER_STATE_TEXT: Record<DraftOrderState, string> = {
  PendingReservation: 'Reservation in progress',
  PartiallyReserved: 'Partially reserved',
  ReservationCompleted: 'Reserved, not yet completed',
  Confirmed: 'Completed',
  Expired: 'Expired',
};

export const ASSIGN_LATER = 'Seats can be assigned once the order is completed.';

export interface OrderDetailsProps {
  conference: ConferenceRef;
  orderId: string;
  accessCode: string;
  state: DraftOrderState;
  lines: SeatLine[];
  total: number;
}

/** Order details (DOMAIN 6.1): lines and total of the priced order, and its state. */
export function OrderDetailsPage({ conference, orderId, accessCode, state, lines, total }: OrderDetailsProps) {
  const paths = registrationPaths(conference.slug);
  return (
    <ConferenceFrame conference={conference} title="Registration details">
      <h1>Registration details</h1>
      <dl class="order-summary">
        <dt>Order #</dt>
        <dd class="access-code">{accessCode}</dd>
        <dt>Status</dt>
        <dd class="status">{ORDER_STATE_TEXT[state]}</dd>
      </dl>
      <h2>Order details</h2>
      {lines.length === 0 ? <p class="muted">No seats.</p> : <SeatLines lines={lines} total={total} />}
      {state === 'Confirmed' ? (
        <p>
          <a class="button" href={paths.seats(orderId)}>
            Assign seats to attendees
          </a>
        </p>
      ) : (
        <p class="muted">{ASSIGN_LATER}</p>
      )}
    </ConferenceFrame>
  );
}
