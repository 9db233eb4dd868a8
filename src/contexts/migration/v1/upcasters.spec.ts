import { describe, expect, it } from 'vitest';
import { createMessageRegistry } from '../../../app/registry.ts';
import type { Message } from '../../../platform/messages/envelope.ts';
import { centsFromDollars } from './money.ts';
import { v1TypeName } from './payload.ts';

const registry = createMessageRegistry();
const GA = '35bf992d-c9e9-4616-a12e-7696a6cecc1b';
const CP = '9b810e76-6ec9-4286-a3ca-828dd5f4b3b2';
const seat = (seatType: string, quantity: number) => ({ $type: 'Registration.SeatQuantity, Registration', SeatType: seatType, Quantity: quantity });

function v1(payload: Record<string, unknown>, derived?: unknown): Message {
  return {
    type: v1TypeName(payload),
    data: { ...payload, SourceId: 'source-1', Version: 3 },
    metadata: {
      messageId: 'Order_source-1_3',
      kind: 'event',
      schemaVersion: 0,
      sourceType: 'Order',
      sourceId: 'source-1',
      version: 3,
      correlationId: 'source-1',
      causationId: null,
      createdAt: '2012-05-08T09:00:00.000Z',
      Imported: true,
      ...(derived === undefined ? {} : { Derived: derived }),
    },
  };
}

describe('V1 amounts', () => {
  it('become integer cents from their decimal text, never through floating point', () => {
    expect(centsFromDollars(199)).toBe(19900);
    expect(centsFromDollars(199.99)).toBe(19999);
    expect(centsFromDollars(0.29)).toBe(29);
    expect(centsFromDollars(1.1)).toBe(110);
    expect(() => centsFromDollars(1e-7)).toThrow(/fractions of a cent/);
    expect(centsFromDollars('4.35')).toBe(435);
    expect(centsFromDollars('50000.00')).toBe(5_000_000);
    expect(centsFromDollars(0)).toBe(0);
    expect(() => centsFromDollars(1.234)).toThrow(/fractions of a cent/);
    expect(() => centsFromDollars('abc')).toThrow();
  });
});

describe('V1 upcasters (schema version 0 → 1)', () => {
  it('read the type name from $type', () => {
    expect(v1TypeName({ $type: 'Registration.Events.OrderPlaced, Registration' })).toBe('OrderPlaced');
  });

  it('camelCase an OrderPlaced, dropping $type, SourceId and Version at every level, its access code upper-cased', () => {
    const message = registry.decode(
      v1({
        $type: 'Registration.Events.OrderPlaced, Registration',
        ConferenceId: 'conf-1',
        Seats: [seat(GA, 2)],
        ReservationAutoExpiration: '2012-05-08T09:15:37.000Z',
        AccessCode: 'vb4gnv',
      }),
    );
    expect(message.type).toBe('OrderPlaced');
    expect(message.metadata.schemaVersion).toBe(1);
    expect(message.data).toEqual({
      conferenceId: 'conf-1',
      seats: [{ seatType: GA, quantity: 2 }],
      reservationAutoExpiration: '2012-05-08T09:15:37.000Z',
      accessCode: 'VB4GNV',
    });
  });

  it('price OrderTotalsCalculated in cents and compute IsFreeOfCharge', () => {
    const line = (seatType: string, unitPrice: number, quantity: number, lineTotal: number) => ({
      $type: 'Registration.Contracts.SeatOrderLine, Registration.Contracts',
      SeatType: seatType,
      UnitPrice: unitPrice,
      Quantity: quantity,
      LineTotal: lineTotal,
    });
    const paid = registry.decode(
      v1({ $type: 'Registration.Events.OrderTotalsCalculated, Registration', Total: 249.98, Lines: [line(GA, 199.99, 1, 199.99), line(CP, 49.99, 1, 49.99)] }),
    );
    expect(paid.data).toEqual({
      total: 24998,
      lines: [
        { seatType: GA, unitPrice: 19999, quantity: 1, lineTotal: 19999 },
        { seatType: CP, unitPrice: 4999, quantity: 1, lineTotal: 4999 },
      ],
      isFreeOfCharge: false,
    });
    const free = registry.decode(v1({ $type: 'Registration.Events.OrderTotalsCalculated, Registration', Total: 0, Lines: [line(GA, 0, 2, 0)] }));
    expect(free.data).toMatchObject({ total: 0, isFreeOfCharge: true });
    const empty = registry.decode(v1({ $type: 'Registration.Events.OrderTotalsCalculated, Registration', Total: 0, Lines: [] }));
    expect(empty.data).toMatchObject({ total: 0, isFreeOfCharge: false });
  });

  it('read the legacy OrderPaymentConfirmed as OrderConfirmed {}', () => {
    const message = registry.decode(v1({ $type: 'Registration.Events.OrderPaymentConfirmed, Registration' }));
    expect(message.type).toBe('OrderConfirmed');
    expect(message.data).toEqual({});
    expect(registry.storedNamesOf('OrderConfirmed')).toContain('OrderPaymentConfirmed');
  });

  it('read V1 AvailableSeatsChanged as quota changes of version 0 with the derived remaining', () => {
    const message = registry.decode(
      v1({ $type: 'Registration.Events.AvailableSeatsChanged, Registration', Seats: [seat(GA, 100)] }, { remaining: [{ seatType: GA, quantity: 100 }] }),
    );
    expect(message.data).toEqual({ seats: [{ seatType: GA, quantity: 100 }], remaining: [{ seatType: GA, quantity: 100 }], quotaVersion: 0 });
  });

  it('merge the derived remaining into SeatsReserved and SeatsReservationCancelled', () => {
    const remaining = [{ seatType: GA, quantity: 97 }];
    const reserved = registry.decode(
      v1(
        { $type: 'Registration.Events.SeatsReserved, Registration', ReservationId: 'r-1', ReservationDetails: [seat(GA, 3)], AvailableSeatsChanged: [seat(GA, -3)] },
        { remaining },
      ),
    );
    expect(reserved.data).toEqual({ reservationId: 'r-1', reservationDetails: [{ seatType: GA, quantity: 3 }], availableSeatsChanged: [{ seatType: GA, quantity: -3 }], remaining });
    const cancelled = registry.decode(
      v1({ $type: 'Registration.Events.SeatsReservationCancelled, Registration', ReservationId: 'r-1', AvailableSeatsChanged: [seat(GA, 3)] }, { remaining: [{ seatType: GA, quantity: 100 }] }),
    );
    expect(cancelled.data).toEqual({ reservationId: 'r-1', availableSeatsChanged: [{ seatType: GA, quantity: 3 }], remaining: [{ seatType: GA, quantity: 100 }] });
    const committed = registry.decode(v1({ $type: 'Registration.Events.SeatsReservationCommitted, Registration', ReservationId: 'r-1' }));
    expect(committed.data).toEqual({ reservationId: 'r-1' });
  });

  it('give SeatAssignmentsCreated its derived conference and camelCase the attendee events', () => {
    const created = registry.decode(
      v1(
        { $type: 'Registration.Events.SeatAssignmentsCreated, Registration.Contracts', OrderId: 'o-1', Seats: [{ Position: 0, SeatType: GA }] },
        { conferenceId: 'conf-1' },
      ),
    );
    expect(created.data).toEqual({ orderId: 'o-1', conferenceId: 'conf-1', seats: [{ position: 0, seatType: GA }] });
    const attendee = { $type: 'Registration.PersonalInfo, Registration.Contracts', FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@example.com' };
    expect(registry.decode(v1({ $type: 'Registration.Events.SeatAssigned, Registration.Contracts', Position: 0, SeatType: GA, Attendee: attendee })).data).toEqual({
      position: 0,
      seatType: GA,
      attendee: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' },
    });
    expect(registry.decode(v1({ $type: 'Registration.Events.SeatAssignmentUpdated, Registration.Contracts', Position: 0, Attendee: attendee })).data).toMatchObject({ position: 0 });
    expect(registry.decode(v1({ $type: 'Registration.Events.SeatUnassigned, Registration.Contracts', Position: 1 })).data).toEqual({ position: 1 });
    expect(registry.decode(v1({ $type: 'Registration.Events.OrderExpired, Registration' })).data).toEqual({});
  });

  it('dead-letter a SeatAssignmentsCreated without its derived conference', () => {
    expect(() => registry.decode(v1({ $type: 'Registration.Events.SeatAssignmentsCreated, Registration.Contracts', OrderId: 'o-1', Seats: [] }))).toThrow(/conferenceId/);
  });
});
