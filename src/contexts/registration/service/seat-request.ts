import type { Checked, FieldErrors } from '../../shared/field-checks.ts';
import type { SeatQuantity } from '../contract.ts';
import { INVALID_REGISTRATION, ITEMS_REQUIRED, MAX_SEATS_PER_TYPE, TOO_MANY_SEATS } from '../order.ts';

/** One line of a seat selection as the registrant sends it. */
export interface SeatRequest {
  seatTypeId: string;
  quantity: number;
}

/**
 * DOMAIN 3.2.1's rules of a seat selection, checked against the conference's seat types (the
 * Order decider checks the rest again): every seat type known and named once, no quantity negative
 * or over 20, at least one above 0. Field errors are keyed `seats.<index>.seatTypeId`,
 * `seats.<index>.quantity`, or `seats` for the selection as a whole.
 */
export function checkSeatRequest(seats: readonly SeatRequest[], seatTypeIds: ReadonlySet<string>): Checked<SeatQuantity[]> {
  const errors: FieldErrors = {};
  const seen = new Set<string>();
  seats.forEach(({ seatTypeId, quantity }, index) => {
    if (!seatTypeIds.has(seatTypeId) || seen.has(seatTypeId)) errors[`seats.${index}.seatTypeId`] = INVALID_REGISTRATION;
    seen.add(seatTypeId);
    if (quantity < 0) errors[`seats.${index}.quantity`] = INVALID_REGISTRATION;
    else if (quantity > MAX_SEATS_PER_TYPE) errors[`seats.${index}.quantity`] = TOO_MANY_SEATS;
  });
  if (!seats.some(({ quantity }) => quantity > 0)) errors.seats = ITEMS_REQUIRED;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: seats.map(({ seatTypeId, quantity }) => ({ seatType: seatTypeId, quantity })) };
}

/** Whether two requests ask for the same seats (lines of quantity 0 ask for nothing). */
export function sameSeats(a: readonly SeatQuantity[], b: readonly SeatQuantity[]): boolean {
  const asked = (seats: readonly SeatQuantity[]) =>
    seats
      .filter((seat) => seat.quantity > 0)
      .map((seat) => `${seat.seatType}:${seat.quantity}`)
      .sort()
      .join(',');
  return asked(a) === asked(b);
}
