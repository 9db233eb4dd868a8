/**
 * The RegistrationProcessManager (DOMAIN 4) as a pure step function: one process per order
 * (process id = order id = reservation id). Given the stored state (if any), one input and the
 * handler's context, a step answers the new state and the commands, timers and timer cancellations
 * to save with it in one atomic step. Time and ids come in through the context, so the command ids
 * are fixed when the step is saved and a re-dispatch is de-duplicated downstream.
 */
import type { OutgoingCommand } from '../../platform/processing/process-store.ts';
import type { RefundPayment } from '../payments/commands.ts';
import type { REFUND_REASONS } from '../payments/contract.ts';
import type * as Commands from './commands.ts';
import type { REJECTION_REASONS, SeatQuantity } from './contract.ts';

/** A = awaiting the reservation, R = reservation received, P = payment forwarded, X = expiry requested, C = completed. */
export type ProcessStateName =
  | 'AwaitingReservationConfirmation'
  | 'ReservationConfirmationReceived'
  | 'PaymentConfirmationReceived'
  | 'ExpirationRequested'
  | 'Completed';

export interface RegistrationProcess {
  state: ProcessStateName;
  conferenceId: string;
  orderId: string;
  reservationId: string;
  /** ISO instant: the order's hold end. */
  reservationAutoExpiration: string;
  /** The pending expiry timer (= its command id); null when none was scheduled. */
  expirationTimerId: string | null;
  /** The timer fired while a payment was being confirmed (row 22). */
  expiryDue: boolean;
  /** Id of the latest `MakeSeatReservation`; null for migrated processes with no recorded request. */
  seatReservationCommandId: string | null;
  /** The payment passed to `ConfirmOrder` and not yet settled by a rejection. */
  forwardedPaymentId: string | null;
  handledPaymentIds: string[];
  outcome: 'Confirmed' | 'Expired' | null;
}

export type ProcessInput =
  | { type: 'OrderPlaced'; orderId: string; conferenceId: string; seats: SeatQuantity[]; reservationAutoExpiration: string }
  | { type: 'OrderUpdated'; seats: SeatQuantity[] }
  /** `causationId`: the id of the `MakeSeatReservation` this replies to. */
  | { type: 'SeatsReserved'; causationId: string | null; reservationDetails: SeatQuantity[] }
  | { type: 'PaymentCompleted'; paymentId: string; amount: number }
  | { type: 'PaymentRejected'; paymentId: string }
  | { type: 'OrderConfirmationRejected'; paymentId?: string; reason: (typeof REJECTION_REASONS)[number] }
  | { type: 'OrderConfirmed'; paymentId?: string }
  | { type: 'OrderExpired' }
  /** The timer's firing; `timerId` is the command's id. */
  | { type: 'ExpireRegistrationProcess'; timerId: string };

export interface ProcessContext {
  /** ISO instant: when the input is handled. */
  now: string;
  releaseBufferSeconds: number;
  /** A new command id for each command or timer sent. */
  newId(): string;
}

export interface ProcessStep {
  /** The state to save; undefined when no process exists and none is created (row 14, no process). */
  state: RegistrationProcess | undefined;
  commands: OutgoingCommand[];
  schedule: Array<{ command: OutgoingCommand; dueAt: Date }>;
  cancel: string[];
  /**
   * Set when the input changes nothing: `expected` for redeliveries, stale replies and the ignores the
   * table lists; otherwise the input was not expected in this state (logged as a warning).
   */
  ignored?: { reason: string; expected: boolean };
}

type RefundReason = (typeof REFUND_REASONS)[number];

const A = 'AwaitingReservationConfirmation';
const R = 'ReservationConfirmationReceived';
const P = 'PaymentConfirmationReceived';
const X = 'ExpirationRequested';
const C = 'Completed';

const ignore = (state: RegistrationProcess | undefined, reason: string, expected = true): ProcessStep => ({
  state,
  commands: [],
  schedule: [],
  cancel: [],
  ignored: { reason, expected },
});

/** One step of the process for one input (the table of DOMAIN 4, rows cited). */
export function registrationProcessStep(
  process: RegistrationProcess | undefined,
  input: ProcessInput,
  context: ProcessContext,
): ProcessStep {
  if (input.type === 'OrderPlaced') return placed(process, input, context);
  if (input.type === 'PaymentCompleted') return paymentCompleted(process, input, context);
  if (process === undefined) return ignore(undefined, `${input.type} for an order with no registration process`, false);
  const step = new Step(process, context);
  switch (input.type) {
    case 'OrderUpdated':
      return orderUpdated(step, input.seats);
    case 'SeatsReserved':
      return seatsReserved(step, input);
    case 'PaymentRejected':
      // Row 15: the order stays payable (with a new payment) until it expires.
      return ignore(process, 'a rejected payment leaves the order payable');
    case 'OrderConfirmationRejected':
      return confirmationRejected(step, input);
    case 'OrderConfirmed':
      return confirmed(step, input.paymentId);
    case 'OrderExpired':
      return expired(step);
    case 'ExpireRegistrationProcess':
      return timerFired(step, input.timerId);
  }
}

/** The step being built: the next state and what it sends. */
class Step {
  readonly commands: OutgoingCommand[] = [];
  readonly schedule: ProcessStep['schedule'] = [];
  readonly cancel: string[] = [];
  state: RegistrationProcess;

  constructor(
    readonly before: RegistrationProcess,
    readonly context: ProcessContext,
  ) {
    this.state = { ...before, handledPaymentIds: [...before.handledPaymentIds] };
  }

  send(type: string, data: unknown, target: string): string {
    const id = this.context.newId();
    this.commands.push({ type, data, target, id });
    return id;
  }

  refund(paymentId: string, reason: RefundReason): void {
    const data: RefundPayment = { paymentId, reason };
    this.send('RefundPayment', data, paymentId);
  }

  reserve(seats: SeatQuantity[]): void {
    const { conferenceId, reservationId, reservationAutoExpiration } = this.state;
    const data: Commands.MakeSeatReservation = { conferenceId, reservationId, seats, deadline: reservationAutoExpiration };
    this.state.seatReservationCommandId = this.send('MakeSeatReservation', data, conferenceId);
    this.state.state = A;
  }

  /** Enters X: the order is to expire; its seats are released once `OrderExpired` arrives. */
  requestExpiry(): void {
    const data: Commands.RejectOrder = { orderId: this.state.orderId };
    this.send('RejectOrder', data, this.state.orderId);
    this.state.state = X;
  }

  /**
   * The expiry deferral rule: leaving P for a non-final state once the expiry fell due goes to X
   * instead (with `RejectOrder` and no reservation command).
   */
  leavePaymentState(next: () => void): void {
    if (this.before.state === P && this.state.expiryDue) this.requestExpiry();
    else next();
  }

  complete(outcome: 'Confirmed' | 'Expired'): void {
    const { state, expiryDue, expirationTimerId } = this.state;
    // In X, or once the expiry fell due, the timer has fired already.
    if (expirationTimerId !== null && state !== X && !expiryDue) this.cancel.push(expirationTimerId);
    this.state.state = C;
    this.state.outcome = outcome;
  }

  done(): ProcessStep {
    return { state: this.state, commands: this.commands, schedule: this.schedule, cancel: this.cancel };
  }
}

/** Rows 1–3. */
function placed(
  process: RegistrationProcess | undefined,
  input: Extract<ProcessInput, { type: 'OrderPlaced' }>,
  context: ProcessContext,
): ProcessStep {
  if (process !== undefined) {
    if (process.conferenceId !== input.conferenceId) {
      throw new Error(`OrderPlaced for order ${input.orderId} names conference ${input.conferenceId}, its process has ${process.conferenceId}`);
    }
    return ignore(process, 'OrderPlaced redelivered');
  }
  const step = new Step(
    {
      state: A,
      conferenceId: input.conferenceId,
      orderId: input.orderId,
      reservationId: input.orderId,
      reservationAutoExpiration: input.reservationAutoExpiration,
      expirationTimerId: null,
      expiryDue: false,
      seatReservationCommandId: null,
      forwardedPaymentId: null,
      handledPaymentIds: [],
      outcome: null,
    },
    context,
  );
  const expiry = Date.parse(input.reservationAutoExpiration);
  if (Date.parse(context.now) >= expiry) {
    step.requestExpiry();
    return step.done();
  }
  step.reserve(input.seats);
  const timerId = context.newId();
  const data: Commands.ExpireRegistrationProcess = { processId: input.orderId };
  step.schedule.push({
    command: { type: 'ExpireRegistrationProcess', data, target: input.orderId, id: timerId },
    dueAt: new Date(expiry + context.releaseBufferSeconds * 1000),
  });
  step.state.expirationTimerId = timerId;
  return step.done();
}

/** Rows 4–6. */
function orderUpdated(step: Step, seats: SeatQuantity[]): ProcessStep {
  const { state } = step.before;
  if (state === X || state === C) return ignore(step.before, `OrderUpdated in ${state}`);
  step.leavePaymentState(() => step.reserve(seats));
  return step.done();
}

/** Rows 7–9. */
function seatsReserved(step: Step, input: Extract<ProcessInput, { type: 'SeatsReserved' }>): ProcessStep {
  const { state, seatReservationCommandId, orderId, reservationAutoExpiration } = step.before;
  if (state !== A) return ignore(step.before, `SeatsReserved in ${state}: a duplicate or stale reply`);
  if (seatReservationCommandId !== null && input.causationId !== seatReservationCommandId) {
    return ignore(step.before, 'SeatsReserved replies to a superseded reservation request');
  }
  const data: Commands.MarkSeatsAsReserved = { orderId, seats: input.reservationDetails, expiration: reservationAutoExpiration };
  step.send('MarkSeatsAsReserved', data, orderId);
  step.state.state = R;
  return step.done();
}

/** Rows 10–14 (row 14 also with no process). */
function paymentCompleted(
  process: RegistrationProcess | undefined,
  input: Extract<ProcessInput, { type: 'PaymentCompleted' }>,
  context: ProcessContext,
): ProcessStep {
  if (process === undefined) {
    const id = context.newId();
    const data: RefundPayment = { paymentId: input.paymentId, reason: 'OrderNotFound' };
    return { state: undefined, commands: [{ type: 'RefundPayment', data, target: input.paymentId, id }], schedule: [], cancel: [] };
  }
  if (process.handledPaymentIds.includes(input.paymentId)) return ignore(process, 'PaymentCompleted already handled');
  const step = new Step(process, context);
  step.state.handledPaymentIds.push(input.paymentId);
  switch (process.state) {
    case R: {
      const data: Commands.ConfirmOrder = { orderId: process.orderId, paymentId: input.paymentId, paidAmount: input.amount };
      step.send('ConfirmOrder', data, process.orderId);
      step.state.forwardedPaymentId = input.paymentId;
      step.state.state = P;
      break;
    }
    case A:
      step.refund(input.paymentId, 'OrderChanged');
      break;
    case P:
      step.refund(input.paymentId, 'DuplicatePayment');
      break;
    case X:
      step.refund(input.paymentId, 'OrderExpired');
      break;
    case C:
      step.refund(input.paymentId, process.outcome === 'Confirmed' ? 'DuplicatePayment' : 'OrderExpired');
      break;
  }
  return step.done();
}

/** Rows 16–17. */
function confirmationRejected(step: Step, input: Extract<ProcessInput, { type: 'OrderConfirmationRejected' }>): ProcessStep {
  const { forwardedPaymentId, state } = step.before;
  if (input.paymentId === undefined || input.paymentId !== forwardedPaymentId) {
    return ignore(step.before, 'OrderConfirmationRejected for no forwarded payment');
  }
  step.state.forwardedPaymentId = null;
  if (state === P) {
    step.leavePaymentState(() => {
      step.state.state = R;
    });
  }
  step.refund(input.paymentId, input.reason);
  return step.done();
}

/**
 * Rows 18–19. A forwarded payment that is not the one that confirmed the order (the order was
 * confirmed at zero cost meanwhile) is refunded here: its `ConfirmOrder` meets a confirmed order and
 * answers nothing, so no rejection (row 16) will ever come for it.
 */
function confirmed(step: Step, paymentId: string | undefined): ProcessStep {
  if (step.before.state === C) return ignore(step.before, 'OrderConfirmed redelivered');
  const { conferenceId, reservationId, forwardedPaymentId } = step.before;
  const data: Commands.CommitSeatReservation = { conferenceId, reservationId };
  step.send('CommitSeatReservation', data, conferenceId);
  if (forwardedPaymentId !== null && forwardedPaymentId !== paymentId) {
    step.refund(forwardedPaymentId, 'DuplicatePayment');
    step.state.forwardedPaymentId = null;
  }
  step.complete('Confirmed');
  return step.done();
}

/** Rows 24–25 (P + OrderExpired, which cannot occur, is handled as row 24). */
function expired(step: Step): ProcessStep {
  if (step.before.state === C) return ignore(step.before, 'OrderExpired in Completed');
  const { conferenceId, reservationId } = step.before;
  const data: Commands.CancelSeatReservation = { conferenceId, reservationId };
  step.send('CancelSeatReservation', data, conferenceId);
  step.complete('Expired');
  return step.done();
}

/** Rows 20–23. */
function timerFired(step: Step, timerId: string): ProcessStep {
  const { state, expirationTimerId, expiryDue } = step.before;
  if (timerId !== expirationTimerId) return ignore(step.before, 'a stale expiry timer fired');
  if (state === X || state === C) return ignore(step.before, `the expiry timer fired in ${state}`);
  if (state === P) {
    if (expiryDue) return ignore(step.before, 'the expiry timer fired again');
    // Row 22: a paid order awaiting confirmation never loses its seats.
    step.state.expiryDue = true;
    return step.done();
  }
  step.requestExpiry();
  return step.done();
}
