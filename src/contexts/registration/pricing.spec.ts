import { describe, expect, it } from 'vitest';
import { priceOrder } from './pricing.ts';

const GA = 'ga-seat-type';
const WS = 'ws-seat-type';
const CP = 'cp-seat-type';
const prices = [
  { seatType: GA, unitPrice: 199_00 },
  { seatType: WS, unitPrice: 500_00 },
  { seatType: CP, unitPrice: 50_00 },
];
const seats = (ga: number, ws: number, cp: number) =>
  [
    { seatType: GA, quantity: ga },
    { seatType: WS, quantity: ws },
    { seatType: CP, quantity: cp },
  ].filter((seat) => seat.quantity > 0);

describe('order pricing (DOMAIN 3.2.3 reference totals)', () => {
  it.each([
    [1, 0, 1, 249_00],
    [1, 1, 1, 749_00],
    [3, 1, 2, 1197_00],
    [2, 0, 2, 498_00],
    [1, 1, 0, 699_00],
    [0, 10, 9, 5450_00],
    [5, 0, 1, 1045_00],
  ])('GA%i WS%i CP%i costs %i cents', (ga, ws, cp, total) => {
    const priced = priceOrder(seats(ga, ws, cp), prices);
    expect(priced.total).toBe(total);
    expect(priced.isFreeOfCharge).toBe(false);
  });

  it('with GA free and CP at $100: GA1 is free, GA2 + CP3 costs $300', () => {
    const freeGa = [
      { seatType: GA, unitPrice: 0 },
      { seatType: CP, unitPrice: 100_00 },
    ];
    expect(priceOrder([{ seatType: GA, quantity: 1 }], freeGa)).toEqual({
      total: 0,
      lines: [{ seatType: GA, unitPrice: 0, quantity: 1, lineTotal: 0 }],
      isFreeOfCharge: true,
    });
    const priced = priceOrder(
      [
        { seatType: CP, quantity: 3 },
        { seatType: GA, quantity: 2 },
      ],
      freeGa,
    );
    expect(priced).toEqual({
      total: 300_00,
      lines: [
        { seatType: GA, unitPrice: 0, quantity: 2, lineTotal: 0 },
        { seatType: CP, unitPrice: 100_00, quantity: 3, lineTotal: 300_00 },
      ],
      isFreeOfCharge: false,
    });
  });

  it('lists lines in seat-type order, omitting quantity 0, with exact line totals', () => {
    const priced = priceOrder(
      [
        { seatType: CP, quantity: 2 },
        { seatType: WS, quantity: 0 },
        { seatType: GA, quantity: 3 },
      ],
      prices,
    );
    expect(priced.lines).toEqual([
      { seatType: GA, unitPrice: 199_00, quantity: 3, lineTotal: 597_00 },
      { seatType: CP, unitPrice: 50_00, quantity: 2, lineTotal: 100_00 },
    ]);
    expect(priced.total).toBe(697_00);
  });

  it('prices an order that obtained no seat at 0, and not as free', () => {
    expect(priceOrder([], prices)).toEqual({ total: 0, lines: [], isFreeOfCharge: false });
    expect(priceOrder([{ seatType: GA, quantity: 0 }], prices)).toEqual({ total: 0, lines: [], isFreeOfCharge: false });
  });

  it('fails (never prices at 0) when a reserved seat type has no known price', () => {
    expect(() => priceOrder([{ seatType: 'unpriced', quantity: 1 }], prices)).toThrow(/unpriced/);
    expect(priceOrder([{ seatType: 'unpriced', quantity: 0 }], prices).total).toBe(0);
  });
});
