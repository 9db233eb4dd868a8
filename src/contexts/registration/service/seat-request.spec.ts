import { describe, expect, it } from 'vitest';
import { checkSeatRequest, sameSeats } from './seat-request.ts';

const known = new Set(['ga', 'ws']);
const line = (seatTypeId: string, quantity: number) => ({ seatTypeId, quantity });

describe('a seat selection (DOMAIN 3.2.1)', () => {
  it('answers the seats as the command carries them, quantities of 0 included', () => {
    expect(checkSeatRequest([line('ga', 2), line('ws', 0)], known)).toEqual({
      ok: true,
      value: [
        { seatType: 'ga', quantity: 2 },
        { seatType: 'ws', quantity: 0 },
      ],
    });
    expect(checkSeatRequest([line('ga', 20)], known).ok).toBe(true);
  });

  it.each([
    ['nothing asked for', [line('ga', 0)], { seats: 'One or more items are required.' }],
    ['no lines', [], { seats: 'One or more items are required.' }],
    ['a negative quantity', [line('ga', -1), line('ws', 1)], { 'seats.0.quantity': 'Invalid registration.' }],
    ['more than 20 of a type', [line('ws', 21)], { 'seats.0.quantity': 'You can order at most 20 seats of each type.' }],
    ['a seat type twice', [line('ga', 1), line('ga', 1)], { 'seats.1.seatTypeId': 'Invalid registration.' }],
    ['a seat type of another conference', [line('other', 1)], { 'seats.0.seatTypeId': 'Invalid registration.' }],
    [
      'several problems at once',
      [line('other', -1), line('ga', 0)],
      { 'seats.0.seatTypeId': 'Invalid registration.', 'seats.0.quantity': 'Invalid registration.', seats: 'One or more items are required.' },
    ],
  ])('refuses %s, naming the field', (_case, seats, errors) => {
    expect(checkSeatRequest(seats, known)).toEqual({ ok: false, errors });
  });
});

describe('comparing seat requests', () => {
  it('ignores order and lines of 0', () => {
    expect(sameSeats([{ seatType: 'ga', quantity: 1 }, { seatType: 'ws', quantity: 0 }], [{ seatType: 'ga', quantity: 1 }])).toBe(true);
    expect(
      sameSeats(
        [{ seatType: 'ga', quantity: 1 }, { seatType: 'ws', quantity: 2 }],
        [{ seatType: 'ws', quantity: 2 }, { seatType: 'ga', quantity: 1 }],
      ),
    ).toBe(true);
  });

  it('tells different quantities or seat types apart', () => {
    expect(sameSeats([{ seatType: 'ga', quantity: 1 }], [{ seatType: 'ga', quantity: 2 }])).toBe(false);
    expect(sameSeats([{ seatType: 'ga', quantity: 1 }], [{ seatType: 'ws', quantity: 1 }])).toBe(false);
  });
});
