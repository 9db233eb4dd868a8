/**
 * Step 5 of the import (DOMAIN 7.5): one RegistrationProcess per V1 order (process id = order id,
 * the V1 reservation id kept, no recorded reservation request). The order stream decides first
 * (confirmed or expired → Completed, committing or cancelling a reservation still pending); an
 * order with a queued `ConfirmOrderPayment` and a completed payment → P with `ConfirmOrder` in its
 * outbox; otherwise V1's state (0, 1 → A; 2 → R). Every incomplete process gets a durable expiry
 * timer with a new id. These commands and timers are the import's only live effects, so they are
 * not marked imported. A process imported before is derived again only when V1 completed its order
 * or queued a payment confirmation for it since.
 */
import { newId } from '../../../platform/messages/ids.ts';
import { ProcessStore, type ProcessOutput } from '../../../platform/processing/process-store.ts';
import { Timers } from '../../../platform/processing/timers.ts';
import type { Store } from '../../../platform/store/store.ts';
import type { CancelSeatReservation, CommitSeatReservation, ConfirmOrder, ExpireRegistrationProcess } from '../../registration/commands.ts';
import { REGISTRATION_PROCESS } from '../../registration/process-manager-handler.ts';
import type { RegistrationProcess } from '../../registration/process-manager.ts';
import type { V1History, V1Order } from './history.ts';
import { centsFromDollars } from './money.ts';
import type { V1Payment, V1Process, V1QueuedCommand } from './v1-store.ts';

/** Processes per transaction: each writes its row, a command and a timer at most. */
const PROCESSES_PER_TRANSACTION = 250;

export interface ListedCommand {
  type: string;
  body: Record<string, unknown>;
  reason: string;
}

export interface ProcessesResult {
  orders: number;
  created: Record<string, number>;
  rederived: number;
  unchanged: number;
  commandsSent: number;
  timers: number;
  /** Queued V1 commands dropped by rule (expiry timers, payment details). */
  droppedCommands: number;
  /** `ConfirmOrderPayment` without a completed payment, and commands V2 does not import. */
  listedCommands: ListedCommand[];
}

export interface Plan {
  orderId: string;
  state: RegistrationProcess;
  output: ProcessOutput;
  expectedVersion: number;
}

export async function importProcesses(
  store: Store,
  history: V1History,
  v1: { processes: V1Process[]; payments: V1Payment[]; commands: V1QueuedCommand[] },
  options: { releaseBufferSeconds: number; now: Date; dryRun: boolean; onProgress: (done: number) => void },
): Promise<ProcessesResult> {
  const result: ProcessesResult = { orders: history.orders.size, created: {}, rederived: 0, unchanged: 0, commandsSent: 0, timers: 0, droppedCommands: 0, listedCommands: [] };
  const rows = new Map(v1.processes.map((p) => [p.orderId, p]));
  const rowIds = new Map(v1.processes.map((p) => [p.rowId, p.orderId]));
  const completedPayments = new Map<string, V1Payment>();
  for (const payment of v1.payments) if (payment.stateValue === 2) completedPayments.set(payment.orderId, payment);

  const confirmations = new Set<string>();
  for (const command of v1.commands) {
    if (command.type === 'ExpireRegistrationProcess' || command.type === 'SetOrderPaymentDetails') {
      result.droppedCommands++;
    } else if (command.type === 'ConfirmOrderPayment') {
      const named = String(command.body.OrderId ?? '');
      const orderId = rowIds.get(named) ?? named;
      if (history.orders.has(orderId) && completedPayments.has(orderId)) confirmations.add(orderId);
      else listed(result, command, 'no completed payment for this order: dropped');
    } else {
      listed(result, command, 'not imported');
    }
  }

  const processes = new ProcessStore<RegistrationProcess>(store, new Timers(store), REGISTRATION_PROCESS);
  const orders = [...history.orders.values()];
  for (let start = 0; start < orders.length; start += PROCESSES_PER_TRANSACTION) {
    const slice = orders.slice(start, start + PROCESSES_PER_TRANSACTION);
    const existing = await existingProcesses(store, slice.map((o) => o.orderId));
    const plans: Plan[] = [];
    for (const order of slice) {
      const stored = existing.get(order.orderId);
      const confirmation = confirmations.has(order.orderId) ? completedPayments.get(order.orderId) : undefined;
      const plan = stored
        ? rederive(order, stored, confirmation, history, options)
        : derive(order, rows.get(order.orderId), confirmation, history, options);
      if (!plan) {
        result.unchanged++;
        continue;
      }
      if (stored) result.rederived++;
      else result.created[plan.state.state] = (result.created[plan.state.state] ?? 0) + 1;
      result.commandsSent += plan.output.commands?.length ?? 0;
      result.timers += plan.output.schedule?.length ?? 0;
      plans.push(plan);
    }
    if (!options.dryRun && plans.length > 0) {
      await store.transaction(async (tx) => {
        for (const plan of plans) {
          await processes.save(tx, plan.orderId, plan.expectedVersion, plan.state, { correlationId: plan.orderId, causationId: null }, plan.output);
        }
      });
    }
    options.onProgress(Math.min(start + PROCESSES_PER_TRANSACTION, orders.length));
  }
  return result;
}

function listed(result: ProcessesResult, command: V1QueuedCommand, reason: string): void {
  result.listedCommands.push({ type: command.type, body: command.body, reason });
}

async function existingProcesses(store: Store, orderIds: string[]): Promise<Map<string, { state: RegistrationProcess; version: number }>> {
  if (orderIds.length === 0) return new Map();
  const rows = await store.db
    .selectFrom('processes')
    .select(['process_id', 'state', 'version'])
    .where('process_type', '=', REGISTRATION_PROCESS)
    .where('process_id', 'in', orderIds)
    .execute();
  return new Map(rows.map((row) => [row.process_id, { state: JSON.parse(row.state) as RegistrationProcess, version: row.version }]));
}

type Options = { releaseBufferSeconds: number; now: Date };

function isPending(history: V1History, conferenceId: string, reservationId: string): boolean {
  return history.availability.get(conferenceId)?.pending.has(reservationId) ?? false;
}

/** What completing an order's process sends: commit or cancel its reservation if still pending. */
function completion(order: V1Order, reservationId: string, history: V1History): ProcessOutput['commands'] {
  if (!isPending(history, order.conferenceId, reservationId)) return [];
  const data: CommitSeatReservation | CancelSeatReservation = { conferenceId: order.conferenceId, reservationId };
  return [{ type: order.outcome === 'Confirmed' ? 'CommitSeatReservation' : 'CancelSeatReservation', data, target: order.conferenceId, id: newId() }];
}

function confirmOrder(order: V1Order, payment: V1Payment): NonNullable<ProcessOutput['commands']>[number] {
  const data: ConfirmOrder = { orderId: order.orderId, paymentId: payment.id, paidAmount: centsFromDollars(payment.totalAmount) };
  return { type: 'ConfirmOrder', data, target: order.orderId, id: newId() };
}

function expiryTimer(order: V1Order, options: Options): { timerId: string; dueAt: Date; due: boolean; schedule: NonNullable<ProcessOutput['schedule']> } {
  const timerId = newId();
  const dueAt = new Date(Date.parse(order.reservationAutoExpiration) + options.releaseBufferSeconds * 1000);
  const data: ExpireRegistrationProcess = { processId: order.orderId };
  return { timerId, dueAt, due: dueAt <= options.now, schedule: [{ command: { type: 'ExpireRegistrationProcess', data, target: order.orderId, id: timerId }, dueAt }] };
}

export function derive(order: V1Order, row: V1Process | undefined, confirmation: V1Payment | undefined, history: V1History, options: Options): Plan {
  const reservationId = row?.reservationId ?? order.orderId;
  const state: RegistrationProcess = {
    state: 'AwaitingReservationConfirmation',
    conferenceId: order.conferenceId,
    orderId: order.orderId,
    reservationId,
    reservationAutoExpiration: order.reservationAutoExpiration,
    expirationTimerId: null,
    expiryDue: false,
    seatReservationCommandId: null,
    forwardedPaymentId: null,
    handledPaymentIds: [],
    outcome: null,
  };
  if (order.outcome !== null) {
    return { orderId: order.orderId, expectedVersion: -1, state: { ...state, state: 'Completed', outcome: order.outcome }, output: { commands: completion(order, reservationId, history) } };
  }
  const timer = expiryTimer(order, options);
  state.expirationTimerId = timer.timerId;
  if (confirmation) {
    const next: RegistrationProcess = { ...state, state: 'PaymentConfirmationReceived', forwardedPaymentId: confirmation.id, handledPaymentIds: [confirmation.id], expiryDue: timer.due };
    return { orderId: order.orderId, expectedVersion: -1, state: next, output: { commands: [confirmOrder(order, confirmation)], schedule: timer.schedule } };
  }
  const received = row ? row.stateValue === 2 : order.reservationReceived;
  state.state = received ? 'ReservationConfirmationReceived' : 'AwaitingReservationConfirmation';
  return { orderId: order.orderId, expectedVersion: -1, state, output: { schedule: timer.schedule } };
}

/** A process imported before: completed if V1 completed its order since; to P if V1 queued its payment's confirmation since. */
export function rederive(
  order: V1Order,
  stored: { state: RegistrationProcess; version: number },
  confirmation: V1Payment | undefined,
  history: V1History,
  options: Options,
): Plan | undefined {
  const current = stored.state;
  if (current.state === 'Completed') return undefined;
  if (order.outcome !== null) {
    const cancel = current.expirationTimerId !== null && !current.expiryDue ? [current.expirationTimerId] : [];
    return {
      orderId: order.orderId,
      expectedVersion: stored.version,
      state: { ...current, state: 'Completed', outcome: order.outcome },
      output: { commands: completion(order, current.reservationId, history), cancel },
    };
  }
  if (confirmation && current.state === 'ReservationConfirmationReceived' && !current.handledPaymentIds.includes(confirmation.id)) {
    const due = Date.parse(order.reservationAutoExpiration) + options.releaseBufferSeconds * 1000 <= options.now.getTime();
    return {
      orderId: order.orderId,
      expectedVersion: stored.version,
      state: { ...current, state: 'PaymentConfirmationReceived', forwardedPaymentId: confirmation.id, handledPaymentIds: [...current.handledPaymentIds, confirmation.id], expiryDue: due },
      output: { commands: [confirmOrder(order, confirmation)] },
    };
  }
  return undefined;
}
