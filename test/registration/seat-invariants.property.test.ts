import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paymentAggregate } from '../../src/contexts/payments/payment.ts';
import type { SeatQuantity } from '../../src/contexts/registration/contract.ts';
import { orderAggregate } from '../../src/contexts/registration/order.ts';
import { type RegistrationProcess, registrationProcessStep } from '../../src/contexts/registration/process-manager.ts';
import { REGISTRATION_PROCESS_INPUTS, processInputOf } from '../../src/contexts/registration/process-manager-handler.ts';
import { seatsAvailabilityAggregate } from '../../src/contexts/registration/seats-availability.ts';
import type { LoggedMessage } from '../../src/platform/messages/envelope.ts';
import { type Aggregate, DomainError, type TypedMessage } from '../../src/platform/processing/commands.ts';
import type { OutgoingCommand } from '../../src/platform/processing/process-store.ts';

/**
 * Seats are never oversold and always add up, whatever the interleaving: orders placed, changed,
 * paid (right or wrong amounts, twice, late), rejected by the processor, confirmed at zero cost,
 * left to expire, and quotas changed, all run in memory through the pure deciders and the pure
 * process manager. One log in position order feeds two consumers with their own cursors (the
 * process manager and the queued-command runner), so the interleaving is that of the real
 * subscriptions; messages may also be delivered twice.
 */

const CONFERENCE = 'conference';
const SEAT_TYPES = ['ga', 'cp'] as const;
const PRICES = [
  { seatType: 'ga', unitPrice: 100 },
  { seatType: 'cp', unitPrice: 0 },
];
const ORDERS = ['o0', 'o1', 'o2', 'o3'];
const HOLD_SECONDS = 60;
const BUFFER_SECONDS = 30;
const START = Date.parse('2030-01-01T00:00:00.000Z');

type Action =
  | { kind: 'place' | 'update'; order: number; seats: number[] }
  /** Starts a payment of the order's current total (plus a cent when `overpay`), completed at once when `complete`. */
  | { kind: 'startPayment'; order: number; overpay: boolean; complete: boolean }
  | { kind: 'completePayment' | 'rejectPayment'; payment: number }
  | { kind: 'confirmFree'; order: number }
  | { kind: 'quota'; seatType: number; quantity: number }
  | { kind: 'tick'; seconds: number }
  | { kind: 'deliver'; consumer: 'process' | 'commands'; count: number }
  /** Both consumers catch up (a quiet moment), without time passing. */
  | { kind: 'catchUp' }
  | { kind: 'redeliver'; consumer: 'process' | 'commands' };

const order = fc.nat({ max: ORDERS.length - 1 });
const seats = fc.array(fc.nat({ max: 3 }), { minLength: SEAT_TYPES.length, maxLength: SEAT_TYPES.length });
const initialQuotas = fc.array(fc.integer({ min: 1, max: 10 }), { minLength: SEAT_TYPES.length, maxLength: SEAT_TYPES.length });
/** True one time in five. */
const rarely = fc.oneof({ arbitrary: fc.constant(true), weight: 1 }, { arbitrary: fc.constant(false), weight: 4 });
const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('place' as const), order, seats }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('update' as const), order, seats }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constant('startPayment' as const), order, overpay: rarely, complete: fc.boolean() }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('completePayment' as const), payment: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('rejectPayment' as const), payment: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('confirmFree' as const), order }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('quota' as const), seatType: fc.nat({ max: SEAT_TYPES.length - 1 }), quantity: fc.nat({ max: 8 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 1, max: 40 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('catchUp' as const) }), weight: 3 },
  {
    arbitrary: fc.record({ kind: fc.constant('deliver' as const), consumer: fc.constantFrom('process' as const, 'commands' as const), count: fc.integer({ min: 1, max: 6 }) }),
    weight: 6,
  },
  { arbitrary: fc.record({ kind: fc.constant('redeliver' as const), consumer: fc.constantFrom('process' as const, 'commands' as const) }), weight: 1 },
);

const PROCESS_INPUTS = new Set<string>(REGISTRATION_PROCESS_INPUTS);

interface Stream {
  state: unknown;
  version: number;
}

/** The system in memory: streams, the log, two consumers, durable timers and a clock. */
class Simulation {
  readonly log: LoggedMessage[] = [];
  readonly streams = new Map<string, Stream>();
  readonly processes = new Map<string, RegistrationProcess>();
  readonly timers = new Map<string, { command: OutgoingCommand; dueAt: number; causationId: string }>();
  readonly payments: Array<{ id: string; order: string }> = [];
  readonly cursors = { process: 0, commands: 0 };
  /** The quota Conference Management last set per seat type. */
  readonly quotas = new Map<string, number>();
  quotaVersion = 0;
  now = START;
  #ids = 0;

  constructor(initialQuotas: number[]) {
    SEAT_TYPES.forEach((seatType, index) => this.setQuota(seatType, initialQuotas[index]));
  }

  newId(prefix: string): string {
    return `${prefix}-${++this.#ids}`;
  }

  #append(message: Omit<LoggedMessage, 'metadata'> & { metadata: Partial<LoggedMessage['metadata']> }): LoggedMessage {
    const logged = {
      ...message,
      metadata: {
        messageId: this.newId('m'),
        kind: 'event',
        schemaVersion: 1,
        sourceType: 'Command',
        sourceId: '',
        version: null,
        correlationId: null,
        causationId: null,
        createdAt: new Date(this.now).toISOString(),
        ...message.metadata,
        position: this.log.length + 1,
      },
    } as LoggedMessage;
    this.log.push(logged);
    return logged;
  }

  sendCommand(command: OutgoingCommand, causationId: string | null): void {
    this.#append({
      type: command.type,
      data: command.data,
      metadata: { messageId: command.id, kind: 'command', sourceId: command.id, causationId, target: command.target },
    });
  }

  /** Decides a command against its stream and logs the events; a refusal changes nothing. */
  decide<S, C extends TypedMessage, E extends TypedMessage>(
    aggregate: Aggregate<S, C, E>,
    sourceId: string,
    command: { type: string; data: object; id: string },
  ): void {
    const key = `${aggregate.sourceType}/${sourceId}`;
    const stream = this.streams.get(key) ?? { state: aggregate.decider.initialState, version: -1 };
    let events: E[];
    try {
      events = aggregate.decider.decide({ type: command.type, data: command.data } as C, stream.state as S);
    } catch (error) {
      if (error instanceof DomainError) return;
      throw error;
    }
    for (const event of events) {
      stream.state = aggregate.decider.evolve(stream.state as S, event);
      stream.version++;
      this.#append({
        type: event.type,
        data: event.data,
        metadata: { sourceType: aggregate.sourceType, sourceId, version: stream.version, causationId: command.id },
      });
    }
    this.streams.set(key, stream);
  }

  stateOf<S>(aggregate: Aggregate<S, TypedMessage, TypedMessage>, sourceId: string): S {
    return (this.streams.get(`${aggregate.sourceType}/${sourceId}`)?.state as S) ?? aggregate.decider.initialState;
  }

  setQuota(seatType: string, quantity: number): void {
    this.quotas.set(seatType, quantity);
    const data = { conferenceId: CONFERENCE, seatType, quantity, quotaVersion: this.quotaVersion++ };
    this.sendCommand({ type: 'SetSeatTypeQuota', data, target: CONFERENCE, id: this.newId('quota') }, null);
  }

  /** An HTTP command: decided at once against the current state. */
  http<S, C extends TypedMessage, E extends TypedMessage>(aggregate: Aggregate<S, C, E>, sourceId: string, type: string, data: object): void {
    this.decide(aggregate, sourceId, { type, data, id: this.newId('http') });
  }

  act(action: Action): void {
    const iso = new Date(this.now).toISOString();
    switch (action.kind) {
      case 'place':
      case 'update': {
        const orderId = ORDERS[action.order];
        const requested: SeatQuantity[] = SEAT_TYPES.map((seatType, index) => ({ seatType, quantity: action.seats[index] }));
        const data = { orderId, conferenceId: CONFERENCE, seats: requested, accessCode: 'K7QX3M', now: iso, holdSeconds: HOLD_SECONDS };
        this.http(orderAggregate, orderId, 'RegisterToConference', data);
        return;
      }
      case 'startPayment': {
        const orderId = ORDERS[action.order];
        const { status, total, reservationAutoExpiration } = this.stateOf(orderAggregate, orderId);
        // What the site checks before it starts a payment.
        if (status !== 'ReservationCompleted' || total === 0 || this.now >= Date.parse(reservationAutoExpiration)) return;
        const paymentId = this.newId('pay');
        const amount = total + (action.overpay ? 1 : 0);
        this.http(paymentAggregate, paymentId, 'InitiateThirdPartyProcessorPayment', {
          paymentId,
          paymentSourceId: orderId,
          conferenceId: CONFERENCE,
          description: 'Registration',
          totalAmount: amount,
          items: [],
        });
        this.payments.push({ id: paymentId, order: orderId });
        if (action.complete) this.http(paymentAggregate, paymentId, 'CompleteThirdPartyProcessorPayment', { paymentId });
        return;
      }
      case 'completePayment':
      case 'rejectPayment': {
        if (this.payments.length === 0) return;
        const payment = this.payments[action.payment % this.payments.length];
        const type = action.kind === 'completePayment' ? 'CompleteThirdPartyProcessorPayment' : 'CancelThirdPartyProcessorPayment';
        this.http(paymentAggregate, payment.id, type, { paymentId: payment.id });
        return;
      }
      case 'confirmFree': {
        const orderId = ORDERS[action.order];
        this.http(orderAggregate, orderId, 'ConfirmOrder', { orderId });
        return;
      }
      case 'quota':
        this.setQuota(SEAT_TYPES[action.seatType], action.quantity);
        return;
      case 'tick':
        this.now += action.seconds * 1000;
        this.fireDueTimers();
        return;
      case 'deliver':
        for (let i = 0; i < action.count; i++) this.deliverNext(action.consumer);
        return;
      case 'catchUp':
        while (this.deliverNext('process') || this.deliverNext('commands'));
        return;
      case 'redeliver': {
        const cursor = this.cursors[action.consumer];
        if (cursor > 0) this.handle(action.consumer, this.log[cursor - 1]);
        return;
      }
    }
  }

  fireDueTimers(): void {
    for (const [id, timer] of [...this.timers]) {
      if (timer.dueAt > this.now) continue;
      this.timers.delete(id);
      this.sendCommand(timer.command, timer.causationId);
    }
  }

  /** Delivers the consumer's next message in log order; false when it has caught up. */
  deliverNext(consumer: 'process' | 'commands'): boolean {
    const message = this.log[this.cursors[consumer]];
    if (message === undefined) return false;
    this.cursors[consumer]++;
    this.handle(consumer, message);
    return true;
  }

  handle(consumer: 'process' | 'commands', message: LoggedMessage): void {
    if (consumer === 'process') this.#stepProcess(message);
    else this.#runCommand(message);
  }

  #stepProcess(message: LoggedMessage): void {
    if (!PROCESS_INPUTS.has(message.type)) return;
    const { processId, input } = processInputOf(message);
    const context = { now: new Date(this.now).toISOString(), releaseBufferSeconds: BUFFER_SECONDS, newId: () => this.newId('pm') };
    const step = registrationProcessStep(this.processes.get(processId), input, context);
    if (step.ignored) return;
    if (step.state !== undefined) this.processes.set(processId, step.state);
    for (const command of step.commands) this.sendCommand(command, message.metadata.messageId);
    for (const { command, dueAt } of step.schedule) {
      this.timers.set(command.id!, { command, dueAt: dueAt.getTime(), causationId: message.metadata.messageId });
    }
    for (const id of step.cancel) this.timers.delete(id);
  }

  /** The queued-command runner: registration-commands and payments-commands. */
  #runCommand(message: LoggedMessage): void {
    if (message.metadata.kind !== 'command' || !message.metadata.target) return;
    const target = message.metadata.target;
    const command = { type: message.type, data: message.data as object, id: message.metadata.messageId };
    switch (message.type) {
      case 'MakeSeatReservation':
        return this.decide(seatsAvailabilityAggregate, target, { ...command, data: { ...command.data, now: new Date(this.now).toISOString() } });
      case 'CommitSeatReservation':
      case 'CancelSeatReservation':
      case 'SetSeatTypeQuota':
        return this.decide(seatsAvailabilityAggregate, target, command);
      case 'MarkSeatsAsReserved':
        return this.decide(orderAggregate, target, { ...command, data: { ...command.data, prices: PRICES } });
      case 'RejectOrder':
      case 'ConfirmOrder':
        return this.decide(orderAggregate, target, command);
      case 'RefundPayment':
        return this.decide(paymentAggregate, target, command);
    }
  }

  /** Delivers everything and lets every timer fall due, until nothing is left to do. */
  settle(): void {
    for (;;) {
      this.act({ kind: 'catchUp' });
      if (this.timers.size === 0) return;
      this.now = Math.max(this.now, ...[...this.timers.values()].map((timer) => timer.dueAt));
      this.fireDueTimers();
    }
  }
}

const byType = () => new Map<string, number>(SEAT_TYPES.map((seatType) => [seatType, 0]));
const eventsOf = (log: LoggedMessage[], sourceType: string) => log.filter((m) => m.metadata.kind === 'event' && m.metadata.sourceType === sourceType);

/** Seats of the reservations not closed by one of `closing`, from the reservation events alone. */
function reservedSeats(log: LoggedMessage[], closing: readonly string[]): Map<string, number> {
  const holdings = new Map<string, SeatQuantity[]>();
  for (const event of eventsOf(log, 'SeatsAvailability')) {
    const { reservationId, reservationDetails } = event.data as { reservationId: string; reservationDetails: SeatQuantity[] };
    if (event.type === 'SeatsReserved') holdings.set(reservationId, reservationDetails);
    if (closing.includes(event.type)) holdings.delete(reservationId);
  }
  return sum([...holdings.values()]);
}

/** Seats held or committed. */
const taken = (log: LoggedMessage[]) => reservedSeats(log, ['SeatsReservationCancelled']);
/** Seats held by reservations neither committed nor cancelled. */
const held = (log: LoggedMessage[]) => reservedSeats(log, ['SeatsReservationCommitted', 'SeatsReservationCancelled']);

/** Seats of confirmed orders (the lines of their last totals), from the Order events alone. */
function sold(log: LoggedMessage[]): Map<string, number> {
  const lines = new Map<string, SeatQuantity[]>();
  const confirmed = new Set<string>();
  for (const event of eventsOf(log, 'Order')) {
    if (event.type === 'OrderTotalsCalculated') lines.set(event.metadata.sourceId, (event.data as { lines: SeatQuantity[] }).lines);
    if (event.type === 'OrderConfirmed') confirmed.add(event.metadata.sourceId);
  }
  return sum([...confirmed].map((orderId) => lines.get(orderId) ?? []));
}

/** Remaining seats as the availability events last stated them. */
function remaining(log: LoggedMessage[]): Map<string, number> {
  const result = byType();
  for (const event of eventsOf(log, 'SeatsAvailability')) {
    for (const { seatType, quantity } of (event.data as { remaining?: SeatQuantity[] }).remaining ?? []) result.set(seatType, quantity);
  }
  return result;
}

function sum(lists: SeatQuantity[][]): Map<string, number> {
  const result = byType();
  for (const list of lists) for (const { seatType, quantity } of list) result.set(seatType, result.get(seatType)! + quantity);
  return result;
}

/**
 * Never oversold: a reservation never takes a seat that is not free, so remaining seats only go below
 * zero when a quota is lowered below what is taken; until that happens, the seats taken (from the
 * reservation events) never exceed the quota applied (from the quota changes).
 */
function expectNeverOversold(log: LoggedMessage[]): void {
  const current = byType();
  const quota = byType();
  const loweredBelowTaken = new Set<string>();
  for (const event of eventsOf(log, 'SeatsAvailability')) {
    if (event.type === 'AvailableSeatsChanged') {
      for (const { seatType, quantity } of (event.data as { seats: SeatQuantity[] }).seats) quota.set(seatType, quota.get(seatType)! + quantity);
    }
    for (const { seatType, quantity } of (event.data as { remaining?: SeatQuantity[] }).remaining ?? []) {
      if (event.type === 'AvailableSeatsChanged' && quantity < 0) loweredBelowTaken.add(seatType);
      if (event.type !== 'AvailableSeatsChanged' && quantity < current.get(seatType)!) {
        expect(quantity, `${event.type} ${event.metadata.messageId} took ${seatType} seats that were not free`).toBeGreaterThanOrEqual(0);
      }
      current.set(seatType, quantity);
    }
  }
  const seats = taken(log);
  for (const seatType of SEAT_TYPES) {
    if (!loweredBelowTaken.has(seatType)) expect(seats.get(seatType), `${seatType} taken`).toBeLessThanOrEqual(quota.get(seatType)!);
  }
}

describe('seat invariants under random interleavings', () => {
  it('never oversells, and ends with quota = sold + held + remaining; late and duplicate payments are refunded', () => {
    fc.assert(
      fc.property(initialQuotas, fc.array(action, { minLength: 10, maxLength: 80, size: 'max' }), (quotas, actions) => {
        const simulation = new Simulation(quotas);
        for (const step of actions) {
          simulation.act(step);
          expectNeverOversold(simulation.log);
        }
        simulation.settle();
        const { log } = simulation;
        expectNeverOversold(log);

        // Every order ended Confirmed or Expired; no seat is still held.
        for (const orderId of ORDERS) {
          const { status } = simulation.stateOf(orderAggregate, orderId);
          expect(['None', 'Confirmed', 'Expired']).toContain(status);
        }
        const [soldSeats, heldSeats, remainingSeats] = [sold(log), held(log), remaining(log)];
        for (const seatType of SEAT_TYPES) {
          expect(heldSeats.get(seatType), `${seatType} held at the end`).toBe(0);
          expect(soldSeats.get(seatType)! + heldSeats.get(seatType)! + remainingSeats.get(seatType)!, `${seatType} adds up`).toBe(
            simulation.quotas.get(seatType),
          );
        }

        // A completed payment either paid for its order's confirmation or was refunded.
        for (const { id, order: orderId } of simulation.payments) {
          const payment = simulation.stateOf(paymentAggregate, id);
          if (payment.status !== 'Completed' && payment.status !== 'Refunded') continue;
          const confirmedBy = eventsOf(log, 'Order').find((e) => e.metadata.sourceId === orderId && e.type === 'OrderConfirmed')?.data as
            | { paymentId?: string }
            | undefined;
          expect(payment.status === 'Refunded', `payment ${id} kept or refunded`).toBe(confirmedBy?.paymentId !== id);
        }
      }),
      {
        numRuns: 400,
        examples: [
          // A payment forwarded to an order that is then confirmed at zero cost must still be refunded.
          [
            [3, 1],
            [
              { kind: 'place', order: 0, seats: [1, 0] },
              { kind: 'catchUp' },
              { kind: 'startPayment', order: 0, overpay: false, complete: false },
              { kind: 'update', order: 0, seats: [0, 1] },
              { kind: 'catchUp' },
              { kind: 'completePayment', payment: 0 },
              { kind: 'confirmFree', order: 0 },
            ],
          ],
        ],
      },
    );
  });
});
