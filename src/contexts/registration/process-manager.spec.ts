import { describe, expect, it } from 'vitest';
import {
  type ProcessContext,
  type ProcessInput,
  type ProcessStateName,
  type ProcessStep,
  type RegistrationProcess,
  registrationProcessStep,
} from './process-manager.ts';

const ORDER = 'order-1';
const CONFERENCE = 'conference-1';
const PLACED_AT = '2030-01-01T10:00:00.000Z';
const EXPIRY = '2030-01-01T10:15:00.000Z';
const BUFFER_SECONDS = 840;
const GA = [{ seatType: 'ga', quantity: 2 }];

/** A context whose ids are `<prefix>1`, `<prefix>2`, … in the order the step asks for them. */
function contextAt(now: string, prefix = 'id-', sequence = { next: 0 }): ProcessContext & { issued: string[] } {
  const issued: string[] = [];
  return {
    now,
    releaseBufferSeconds: BUFFER_SECONDS,
    issued,
    newId() {
      const id = `${prefix}${++sequence.next}`;
      issued.push(id);
      return id;
    },
  };
}

const orderPlaced = (overrides: Partial<Extract<ProcessInput, { type: 'OrderPlaced' }>> = {}): ProcessInput => ({
  type: 'OrderPlaced',
  orderId: ORDER,
  conferenceId: CONFERENCE,
  seats: GA,
  reservationAutoExpiration: EXPIRY,
  ...overrides,
});
const orderUpdated = (seats = [{ seatType: 'ga', quantity: 3 }]): ProcessInput => ({ type: 'OrderUpdated', seats });
const seatsReserved = (causationId: string | null, reservationDetails = GA): ProcessInput => ({ type: 'SeatsReserved', causationId, reservationDetails });
const paymentCompleted = (paymentId: string, amount = 39_800): ProcessInput => ({ type: 'PaymentCompleted', paymentId, amount });
const paymentRejected = (paymentId: string): ProcessInput => ({ type: 'PaymentRejected', paymentId });
const confirmationRejected = (
  paymentId: string | undefined,
  reason: 'OrderExpired' | 'ReservationNotComplete' | 'AmountMismatch' = 'AmountMismatch',
): ProcessInput => ({ type: 'OrderConfirmationRejected', ...(paymentId === undefined ? {} : { paymentId }), reason });
const orderConfirmed = (paymentId?: string): ProcessInput => ({ type: 'OrderConfirmed', ...(paymentId === undefined ? {} : { paymentId }) });
const orderExpired: ProcessInput = { type: 'OrderExpired' };
const timer = (timerId: string): ProcessInput => ({ type: 'ExpireRegistrationProcess', timerId });

/** Ids of the steps that build a state; the step under test issues `id-1`, `id-2`, … */
const setupIds = { next: 0 };

/** Runs inputs one after the other, as the handler saves them. */
function run(process: RegistrationProcess | undefined, inputs: ProcessInput[], now = PLACED_AT): RegistrationProcess {
  let state = process;
  for (const input of inputs) state = registrationProcessStep(state, input, contextAt(now, 'setup-', setupIds)).state;
  return state!;
}

const step = (process: RegistrationProcess | undefined, input: ProcessInput, now = PLACED_AT): ProcessStep =>
  registrationProcessStep(process, input, contextAt(now));

const placed = () => run(undefined, [orderPlaced()]);
const reservationReceived = () => {
  const process = placed();
  return run(process, [seatsReserved(process.seatReservationCommandId)]);
};
const paymentForwarded = () => run(reservationReceived(), [paymentCompleted('pay-1')]);
const expiryRequested = () => {
  const process = placed();
  return run(process, [timer(process.expirationTimerId!)]);
};
const confirmedProcess = () => run(paymentForwarded(), [orderConfirmed('pay-1')]);
const expiredProcess = () => run(expiryRequested(), [orderExpired]);
const paymentForwardedExpiryDue = () => {
  const process = paymentForwarded();
  return run(process, [timer(process.expirationTimerId!)]);
};

const A: ProcessStateName = 'AwaitingReservationConfirmation';
const R: ProcessStateName = 'ReservationConfirmationReceived';
const P: ProcessStateName = 'PaymentConfirmationReceived';
const X: ProcessStateName = 'ExpirationRequested';
const C: ProcessStateName = 'Completed';

/** Every state a process can be in, built by the steps that lead there. */
const everyState: Array<[string, () => RegistrationProcess]> = [
  ['A', placed],
  ['R', reservationReceived],
  ['P', paymentForwarded],
  ['P (expiry due)', paymentForwardedExpiryDue],
  ['X', expiryRequested],
  ['C (Confirmed)', confirmedProcess],
  ['C (Expired)', expiredProcess],
];

function expectIgnored(result: ProcessStep, before: RegistrationProcess | undefined, expected = true): void {
  expect(result.ignored).toEqual({ reason: expect.any(String), expected });
  expect(result.state).toEqual(before);
  expect(result.commands).toEqual([]);
  expect(result.schedule).toEqual([]);
  expect(result.cancel).toEqual([]);
}

const refund = (id: string, paymentId: string, reason: string) => ({ type: 'RefundPayment', id, target: paymentId, data: { paymentId, reason } });
const rejectOrder = (id: string) => ({ type: 'RejectOrder', id, target: ORDER, data: { orderId: ORDER } });

describe('placing an order (rows 1–3)', () => {
  it('row 1: reserves the seats until the hold end and schedules the expiry at hold end + release buffer', () => {
    const result = step(undefined, orderPlaced());
    expect(result.ignored).toBeUndefined();
    expect(result.commands).toEqual([
      { type: 'MakeSeatReservation', id: 'id-1', target: CONFERENCE, data: { conferenceId: CONFERENCE, reservationId: ORDER, seats: GA, deadline: EXPIRY } },
    ]);
    expect(result.schedule).toEqual([
      {
        command: { type: 'ExpireRegistrationProcess', id: 'id-2', target: ORDER, data: { processId: ORDER } },
        dueAt: new Date('2030-01-01T10:29:00.000Z'),
      },
    ]);
    expect(result.cancel).toEqual([]);
    expect(result.state).toEqual({
      state: A,
      conferenceId: CONFERENCE,
      orderId: ORDER,
      reservationId: ORDER,
      reservationAutoExpiration: EXPIRY,
      expirationTimerId: 'id-2',
      expiryDue: false,
      seatReservationCommandId: 'id-1',
      forwardedPaymentId: null,
      handledPaymentIds: [],
      outcome: null,
    });
  });

  it('row 2: an order handled once its hold has ended is expired at once, with no reservation and no timer', () => {
    for (const now of [EXPIRY, '2030-01-01T10:20:00.000Z']) {
      const result = step(undefined, orderPlaced(), now);
      expect(result.commands).toEqual([rejectOrder('id-1')]);
      expect(result.schedule).toEqual([]);
      expect(result.state).toMatchObject({ state: X, expirationTimerId: null, seatReservationCommandId: null });
    }
  });

  it.each(everyState)('row 3: a redelivered OrderPlaced changes nothing in %s', (_name, build) => {
    const process = build();
    expectIgnored(step(process, orderPlaced()), process);
  });

  it('row 3: an OrderPlaced naming another conference for an existing process is an error (dead letter)', () => {
    expect(() => step(placed(), orderPlaced({ conferenceId: 'conference-2' }))).toThrow(/conference-2/);
  });
});

describe('seat changes (rows 4–6)', () => {
  it.each([
    ['A', placed],
    ['R', reservationReceived],
  ])('row 4: in %s a new reservation is requested for the new seats; the expiry is unchanged', (_name, build) => {
    const process = build();
    const result = step(process, orderUpdated());
    expect(result.commands).toEqual([
      {
        type: 'MakeSeatReservation',
        id: 'id-1',
        target: CONFERENCE,
        data: { conferenceId: CONFERENCE, reservationId: ORDER, seats: [{ seatType: 'ga', quantity: 3 }], deadline: EXPIRY },
      },
    ]);
    expect(result.schedule).toEqual([]);
    expect(result.cancel).toEqual([]);
    expect(result.state).toEqual({ ...process, state: A, seatReservationCommandId: 'id-1' });
  });

  it('row 5: in P a new reservation is requested; the forwarded payment stays for the Order to settle', () => {
    const process = paymentForwarded();
    const result = step(process, orderUpdated());
    expect(result.commands.map((c) => c.type)).toEqual(['MakeSeatReservation']);
    expect(result.state).toEqual({ ...process, state: A, seatReservationCommandId: 'id-1', forwardedPaymentId: 'pay-1' });
  });

  it('row 5 with the expiry due: expires the order instead (deferral rule), with no reservation command', () => {
    const process = paymentForwardedExpiryDue();
    const result = step(process, orderUpdated());
    expect(result.commands).toEqual([rejectOrder('id-1')]);
    expect(result.state).toEqual({ ...process, state: X });
  });

  it.each([
    ['X', expiryRequested],
    ['C (Confirmed)', confirmedProcess],
    ['C (Expired)', expiredProcess],
  ])('row 6: ignored in %s', (_name, build) => {
    const process = build();
    expectIgnored(step(process, orderUpdated()), process);
  });
});

describe('reservation replies (rows 7–9)', () => {
  it('row 7: the reply to the latest request marks the seats as reserved until the hold end', () => {
    const process = placed();
    const details = [{ seatType: 'ga', quantity: 1 }];
    const result = step(process, seatsReserved(process.seatReservationCommandId, details));
    expect(result.commands).toEqual([
      { type: 'MarkSeatsAsReserved', id: 'id-1', target: ORDER, data: { orderId: ORDER, seats: details, expiration: EXPIRY } },
    ]);
    expect(result.state).toEqual({ ...process, state: R });
  });

  it('row 8: a reply to a superseded request is ignored, the reply to the latest one accepted', () => {
    const first = placed();
    const updated = run(first, [orderUpdated()]);
    expect(updated.seatReservationCommandId).not.toBe(first.seatReservationCommandId);
    expectIgnored(step(updated, seatsReserved(first.seatReservationCommandId)), updated);
    expectIgnored(step(updated, seatsReserved(null)), updated);
    expect(step(updated, seatsReserved(updated.seatReservationCommandId)).state?.state).toBe(R);
  });

  it('a migrated process with no recorded request accepts any reply', () => {
    const process = { ...placed(), seatReservationCommandId: null };
    expect(step(process, seatsReserved('whatever')).state?.state).toBe(R);
  });

  it.each(everyState.filter(([name]) => name !== 'A'))('row 9: ignored in %s, even the reply to the latest request', (_name, build) => {
    const process = build();
    expectIgnored(step(process, seatsReserved(process.seatReservationCommandId)), process);
  });
});

describe('completed payments (rows 10–14)', () => {
  it.each(everyState)('row 10: a payment already handled is ignored in %s', (_name, build) => {
    const process = run(build(), [paymentCompleted('pay-9')]);
    expect(process.handledPaymentIds).toContain('pay-9');
    expectIgnored(step(process, paymentCompleted('pay-9')), process);
  });

  it('row 11: in R the payment is forwarded to the order with its amount', () => {
    const process = reservationReceived();
    const result = step(process, paymentCompleted('pay-1', 24_900));
    expect(result.commands).toEqual([
      { type: 'ConfirmOrder', id: 'id-1', target: ORDER, data: { orderId: ORDER, paymentId: 'pay-1', paidAmount: 24_900 } },
    ]);
    expect(result.state).toEqual({ ...process, state: P, forwardedPaymentId: 'pay-1', handledPaymentIds: ['pay-1'] });
  });

  it('row 12: in A (the order changed after the payment started) the payment is refunded', () => {
    const process = placed();
    const result = step(process, paymentCompleted('pay-1'));
    expect(result.commands).toEqual([refund('id-1', 'pay-1', 'OrderChanged')]);
    expect(result.state).toEqual({ ...process, handledPaymentIds: ['pay-1'] });
  });

  it.each([
    ['P', paymentForwarded],
    ['C (Confirmed)', confirmedProcess],
  ])('row 13: a second payment in %s is refunded as a duplicate', (_name, build) => {
    const process = build();
    const result = step(process, paymentCompleted('pay-2'));
    expect(result.commands).toEqual([refund('id-1', 'pay-2', 'DuplicatePayment')]);
    expect(result.state).toEqual({ ...process, handledPaymentIds: ['pay-1', 'pay-2'] });
  });

  it('row 13: any payment for an order confirmed at zero cost is a duplicate', () => {
    const process = run(reservationReceived(), [orderConfirmed()]);
    expect(step(process, paymentCompleted('pay-1')).commands).toEqual([refund('id-1', 'pay-1', 'DuplicatePayment')]);
  });

  it.each([
    ['X', expiryRequested],
    ['C (Expired)', expiredProcess],
  ])('row 14: a payment completing in %s is refunded because the order expired', (_name, build) => {
    const process = build();
    const result = step(process, paymentCompleted('pay-1'));
    expect(result.commands).toEqual([refund('id-1', 'pay-1', 'OrderExpired')]);
    expect(result.state).toEqual({ ...process, handledPaymentIds: ['pay-1'] });
  });

  it('row 14: a payment for an order with no process is refunded, and no process is created', () => {
    const result = step(undefined, paymentCompleted('pay-1'));
    expect(result.ignored).toBeUndefined();
    expect(result.state).toBeUndefined();
    expect(result.commands).toEqual([refund('id-1', 'pay-1', 'OrderNotFound')]);
  });
});

describe('rejected payments (row 15)', () => {
  it.each(everyState)('row 15: a rejected payment changes nothing in %s', (_name, build) => {
    const process = build();
    expectIgnored(step(process, paymentRejected('pay-7')), process);
  });

  it('row 15: the order stays payable: a new payment after a rejected one is forwarded', () => {
    const process = run(reservationReceived(), [paymentRejected('pay-1')]);
    expect(step(process, paymentCompleted('pay-2')).commands.map((c) => c.type)).toEqual(['ConfirmOrder']);
  });
});

describe('confirmation rejections (rows 16–17)', () => {
  it('row 16: from P the forwarded payment is refunded with the rejection reason, back to R', () => {
    const process = paymentForwarded();
    const result = step(process, confirmationRejected('pay-1', 'AmountMismatch'));
    expect(result.commands).toEqual([refund('id-1', 'pay-1', 'AmountMismatch')]);
    expect(result.state).toEqual({ ...process, state: R, forwardedPaymentId: null });
    // The order stays payable.
    expect(step(result.state, paymentCompleted('pay-2')).commands.map((c) => c.type)).toEqual(['ConfirmOrder']);
  });

  it('row 16 with the expiry due: the refund goes with RejectOrder and the process enters X (deferral rule)', () => {
    const process = paymentForwardedExpiryDue();
    const result = step(process, confirmationRejected('pay-1', 'ReservationNotComplete'));
    expect(result.commands).toEqual([rejectOrder('id-1'), refund('id-2', 'pay-1', 'ReservationNotComplete')]);
    expect(result.state).toEqual({ ...process, state: X, forwardedPaymentId: null });
  });

  it('row 16: after the order changed (A) the forwarded payment is refunded and the state kept', () => {
    const process = run(paymentForwarded(), [orderUpdated()]);
    const result = step(process, confirmationRejected('pay-1', 'ReservationNotComplete'));
    expect(result.commands).toEqual([refund('id-1', 'pay-1', 'ReservationNotComplete')]);
    expect(result.state).toEqual({ ...process, forwardedPaymentId: null });
  });

  it('row 16: after the order expired (C) the forwarded payment is refunded and the state kept', () => {
    // P + OrderExpired cannot occur; if it does, row 24 applies and row 16 refunds afterwards.
    const process = run(paymentForwarded(), [orderExpired]);
    expect(process).toMatchObject({ state: C, outcome: 'Expired', forwardedPaymentId: 'pay-1' });
    const result = step(process, confirmationRejected('pay-1', 'OrderExpired'));
    expect(result.commands).toEqual([refund('id-1', 'pay-1', 'OrderExpired')]);
    expect(result.state).toEqual({ ...process, forwardedPaymentId: null });
    // A redelivered rejection refunds nothing more.
    expectIgnored(step(result.state, confirmationRejected('pay-1', 'OrderExpired')), result.state);
  });

  it.each(everyState)('row 17: a zero-cost rejection or one about another payment is ignored in %s', (_name, build) => {
    const process = build();
    expectIgnored(step(process, confirmationRejected(undefined, 'ReservationNotComplete')), process);
    expectIgnored(step(process, confirmationRejected('pay-other')), process);
  });
});

describe('confirmation (rows 18–19)', () => {
  it.each([
    ['A', placed],
    ['R', reservationReceived],
    ['P', paymentForwarded],
  ])('row 18: from %s the seats are committed and the pending expiry timer cancelled', (_name, build) => {
    const process = build();
    const result = step(process, orderConfirmed('pay-1'));
    expect(result.commands).toEqual([
      { type: 'CommitSeatReservation', id: 'id-1', target: CONFERENCE, data: { conferenceId: CONFERENCE, reservationId: ORDER } },
    ]);
    expect(result.cancel).toEqual([process.expirationTimerId]);
    expect(result.state).toEqual({ ...process, state: C, outcome: 'Confirmed' });
  });

  it.each([
    ['X', expiryRequested],
    ['P (expiry due)', paymentForwardedExpiryDue],
  ])('row 18: from %s the seats are committed; the timer has fired already', (_name, build) => {
    const process = build();
    const result = step(process, orderConfirmed('pay-1'));
    expect(result.commands.map((c) => c.type)).toEqual(['CommitSeatReservation']);
    expect(result.cancel).toEqual([]);
    expect(result.state).toMatchObject({ state: C, outcome: 'Confirmed' });
  });

  it('row 18: a forwarded payment that did not confirm the order (confirmed at zero cost meanwhile) is refunded', () => {
    const process = paymentForwarded();
    const result = step(process, orderConfirmed());
    expect(result.commands).toEqual([
      { type: 'CommitSeatReservation', id: 'id-1', target: CONFERENCE, data: { conferenceId: CONFERENCE, reservationId: ORDER } },
      refund('id-2', 'pay-1', 'DuplicatePayment'),
    ]);
    expect(result.state).toEqual({ ...process, state: C, outcome: 'Confirmed', forwardedPaymentId: null });
    // Its ConfirmOrder meets a confirmed order and answers nothing; a redelivered confirmation refunds nothing more.
    expectIgnored(step(result.state, orderConfirmed()), result.state);
  });

  it.each([
    ['C (Confirmed)', confirmedProcess],
    ['C (Expired)', expiredProcess],
  ])('row 19: ignored in %s', (_name, build) => {
    const process = build();
    expectIgnored(step(process, orderConfirmed('pay-1')), process);
  });
});

describe('the expiry timer (rows 20–23)', () => {
  it.each(everyState)('row 20: a stale timer is ignored in %s', (_name, build) => {
    const process = build();
    expectIgnored(step(process, timer('some-older-timer')), process);
  });

  it.each([
    ['A', placed],
    ['R', reservationReceived],
  ])('row 21: in %s the order is asked to expire; the seats stay held until it has', (_name, build) => {
    const process = build();
    const result = step(process, timer(process.expirationTimerId!));
    expect(result.commands).toEqual([rejectOrder('id-1')]);
    expect(result.cancel).toEqual([]);
    expect(result.state).toEqual({ ...process, state: X });
  });

  it('row 22: in P the expiry only falls due: a paid order awaiting confirmation keeps its seats', () => {
    const process = paymentForwarded();
    const result = step(process, timer(process.expirationTimerId!));
    expect(result.ignored).toBeUndefined();
    expect(result.commands).toEqual([]);
    expect(result.state).toEqual({ ...process, expiryDue: true });
    // The confirmation still wins.
    expect(step(result.state, orderConfirmed('pay-1')).state).toMatchObject({ state: C, outcome: 'Confirmed' });
  });

  it.each([
    ['X', expiryRequested],
    ['C (Confirmed)', confirmedProcess],
    ['C (Expired)', expiredProcess],
  ])('row 23: ignored in %s', (_name, build) => {
    const process = build();
    expectIgnored(step(process, timer(process.expirationTimerId!)), process);
  });
});

describe('expiry (rows 24–25)', () => {
  it.each([
    ['A', placed],
    ['R', reservationReceived],
  ])('row 24: from %s the seats are released and the pending timer cancelled', (_name, build) => {
    const process = build();
    const result = step(process, orderExpired);
    expect(result.commands).toEqual([
      { type: 'CancelSeatReservation', id: 'id-1', target: CONFERENCE, data: { conferenceId: CONFERENCE, reservationId: ORDER } },
    ]);
    expect(result.cancel).toEqual([process.expirationTimerId]);
    expect(result.state).toEqual({ ...process, state: C, outcome: 'Expired' });
  });

  it('row 24: from X the seats are released; the timer has fired already', () => {
    const process = expiryRequested();
    const result = step(process, orderExpired);
    expect(result.commands.map((c) => c.type)).toEqual(['CancelSeatReservation']);
    expect(result.cancel).toEqual([]);
    expect(result.state).toEqual({ ...process, state: C, outcome: 'Expired' });
  });

  it.each([
    ['C (Confirmed)', confirmedProcess],
    ['C (Expired)', expiredProcess],
  ])('row 25: ignored in %s', (_name, build) => {
    const process = build();
    expectIgnored(step(process, orderExpired), process);
  });
});

describe('inputs with no process', () => {
  it.each<ProcessInput>([
    orderUpdated(),
    seatsReserved('id-1'),
    paymentRejected('pay-1'),
    confirmationRejected('pay-1'),
    orderConfirmed(),
    orderExpired,
    timer('id-2'),
  ])('$type is unexpected: a warning, nothing saved', (input) => {
    expectIgnored(step(undefined, input), undefined, false);
  });
});

describe('redelivery changes nothing', () => {
  /** Each input applied once, then delivered again to the state it produced. */
  const cases: Array<[string, () => RegistrationProcess, (process: RegistrationProcess) => ProcessInput]> = [
    ['OrderPlaced', placed, () => orderPlaced()],
    ['SeatsReserved', placed, (p) => seatsReserved(p.seatReservationCommandId)],
    ['PaymentCompleted (forwarded)', reservationReceived, () => paymentCompleted('pay-1')],
    ['PaymentCompleted (refunded)', placed, () => paymentCompleted('pay-1')],
    ['PaymentRejected', reservationReceived, () => paymentRejected('pay-1')],
    ['OrderConfirmationRejected', paymentForwarded, () => confirmationRejected('pay-1')],
    ['OrderConfirmed', paymentForwarded, () => orderConfirmed('pay-1')],
    ['OrderExpired', expiryRequested, () => orderExpired],
    ['the timer (row 21)', placed, (p) => timer(p.expirationTimerId!)],
    ['the timer (row 22)', paymentForwarded, (p) => timer(p.expirationTimerId!)],
  ];

  it.each(cases)('%s', (_name, build, inputOf) => {
    const before = build();
    const input = inputOf(before);
    const once = step(before, input).state!;
    expectIgnored(step(once, input), once);
  });

  it('OrderUpdated is not deduplicated: every update is a new request (the Order stream never repeats one)', () => {
    const once = run(placed(), [orderUpdated()]);
    expect(step(once, orderUpdated()).commands.map((c) => c.type)).toEqual(['MakeSeatReservation']);
  });
});

describe('flows', () => {
  it('expiry while a payment is being confirmed: the confirmation rejected as expired is refunded and the order expires', () => {
    let process = paymentForwarded();
    process = run(process, [timer(process.expirationTimerId!)]);
    expect(process).toMatchObject({ state: P, expiryDue: true });
    const rejected = step(process, confirmationRejected('pay-1', 'AmountMismatch'));
    expect(rejected.commands.map((c) => [c.type, (c.data as { reason?: string }).reason])).toEqual([
      ['RejectOrder', undefined],
      ['RefundPayment', 'AmountMismatch'],
    ]);
    const result = step(rejected.state, orderExpired);
    expect(result.commands.map((c) => c.type)).toEqual(['CancelSeatReservation']);
    expect(result.state).toMatchObject({ state: C, outcome: 'Expired' });
  });

  it('a late payment after the order expired is refunded once; a duplicate of it changes nothing', () => {
    const process = expiredProcess();
    const late = step(process, paymentCompleted('pay-late'));
    expect(late.commands).toEqual([refund('id-1', 'pay-late', 'OrderExpired')]);
    expectIgnored(step(late.state, paymentCompleted('pay-late')), late.state);
  });

  it('command ids come from the context only', () => {
    const context = contextAt(PLACED_AT);
    const result = registrationProcessStep(undefined, orderPlaced(), context);
    expect([...result.commands.map((c) => c.id), ...result.schedule.map((s) => s.command.id)]).toEqual(context.issued);
  });
});
