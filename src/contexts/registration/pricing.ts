/**
 * Order pricing (DOMAIN 3.2.3): a pure function of the reserved seats and the unit prices the
 * handler read from Registration's conference catalogue. Money is integer cents, so totals are exact.
 */
import type { OrderLine, OrderTotalsCalculated, SeatQuantity } from './contract.ts';

export interface SeatPrice {
  seatType: string;
  /** Cents. */
  unitPrice: number;
}

/**
 * Prices `seats`: one line per seat type with a quantity, in the order of `prices` (the seat types'
 * creation order). A reserved seat type without a known price throws a plain Error, not a refusal:
 * the handler fails and retries until the catalogue knows the price, so a seat is never priced at 0.
 */
export function priceOrder(seats: readonly SeatQuantity[], prices: readonly SeatPrice[]): OrderTotalsCalculated {
  const quantities = new Map<string, number>();
  for (const { seatType, quantity } of seats) {
    if (quantity > 0) quantities.set(seatType, (quantities.get(seatType) ?? 0) + quantity);
  }
  const unpriced = [...quantities.keys()].filter((seatType) => !prices.some((price) => price.seatType === seatType));
  if (unpriced.length > 0) throw new Error(`No price known yet for seat type ${unpriced.join(', ')}`);
  const lines: OrderLine[] = prices
    .filter(({ seatType }) => quantities.has(seatType))
    .map(({ seatType, unitPrice }) => {
      const quantity = quantities.get(seatType)!;
      return { seatType, unitPrice, quantity, lineTotal: unitPrice * quantity };
    });
  const total = lines.reduce((sum, line) => sum + line.lineTotal, 0);
  // A 0-seat order is not free: it has nothing to confirm.
  return { total, lines, isFreeOfCharge: total === 0 && lines.length > 0 };
}
