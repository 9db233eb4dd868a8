/**
 * Runs the RegistrationProcessManager (DOMAIN 4) on the log: each input loads the order's process,
 * takes one pure step and saves the new state with the commands and timer changes of that step in
 * the handler's transaction (the log is the outbox). A `ConcurrencyError` from the save (another
 * worker stepped first) is retried by the subscription against fresh state. Imported messages never
 * reach it: it is a side-effecting handler.
 */
import type { LoggedMessage } from '../../platform/messages/envelope.ts';
import { originOf } from '../../platform/messages/factory.ts';
import { newId } from '../../platform/messages/ids.ts';
import type { MessageHandler } from '../../platform/processing/handler.ts';
import type { Logger } from '../../platform/processing/logger.ts';
import { ProcessStore } from '../../platform/processing/process-store.ts';
import { Timers } from '../../platform/processing/timers.ts';
import type { Store } from '../../platform/store/store.ts';
import type { PaymentEventType } from '../payments/contract.ts';
import type { ExpireRegistrationProcess, RegistrationCommandType } from './commands.ts';
import type { OrderEventType, OrderPlaced, SeatsAvailabilityEventType, SeatsReserved } from './contract.ts';
import { type ProcessInput, type RegistrationProcess, registrationProcessStep } from './process-manager.ts';

export const REGISTRATION_PROCESS_MANAGER = 'registration-process-manager';
export const REGISTRATION_PROCESS = 'RegistrationProcess';

type InputType = OrderEventType | SeatsAvailabilityEventType | PaymentEventType | RegistrationCommandType;

/** The messages the process manager steps on: events, and the timer's command. */
export const REGISTRATION_PROCESS_INPUTS = [
  'OrderPlaced',
  'OrderUpdated',
  'SeatsReserved',
  'PaymentCompleted',
  'PaymentRejected',
  'OrderConfirmationRejected',
  'OrderConfirmed',
  'OrderExpired',
  'ExpireRegistrationProcess',
] as const satisfies readonly InputType[];

/** The process a message belongs to (process id = order id = reservation id) and the step's input. */
export function processInputOf(message: LoggedMessage): { processId: string; input: ProcessInput } {
  const { sourceId, causationId, messageId } = message.metadata;
  const type = message.type as (typeof REGISTRATION_PROCESS_INPUTS)[number];
  switch (type) {
    case 'OrderPlaced': {
      const { conferenceId, seats, reservationAutoExpiration } = message.data as OrderPlaced;
      return { processId: sourceId, input: { type, orderId: sourceId, conferenceId, seats, reservationAutoExpiration } };
    }
    case 'OrderUpdated':
      return { processId: sourceId, input: { type, seats: (message.data as { seats: OrderPlaced['seats'] }).seats } };
    case 'OrderConfirmationRejected':
    case 'OrderConfirmed':
    case 'OrderExpired':
      return { processId: sourceId, input: { type, ...(message.data as object) } as ProcessInput };
    case 'SeatsReserved': {
      const { reservationId, reservationDetails } = message.data as SeatsReserved;
      return { processId: reservationId, input: { type, causationId, reservationDetails } };
    }
    case 'PaymentCompleted': {
      const { paymentSourceId, amount } = message.data as { paymentSourceId: string; amount: number };
      return { processId: paymentSourceId, input: { type, paymentId: sourceId, amount } };
    }
    case 'PaymentRejected': {
      const { paymentSourceId } = message.data as { paymentSourceId: string };
      return { processId: paymentSourceId, input: { type, paymentId: sourceId } };
    }
    case 'ExpireRegistrationProcess':
      return { processId: (message.data as ExpireRegistrationProcess).processId, input: { type, timerId: messageId } };
  }
}

export function registrationProcessManager(store: Store, options: { releaseBufferSeconds: number; logger: Logger }): MessageHandler {
  const processes = new ProcessStore<RegistrationProcess>(store, new Timers(store), REGISTRATION_PROCESS);
  const { logger, releaseBufferSeconds } = options;
  return {
    name: REGISTRATION_PROCESS_MANAGER,
    types: REGISTRATION_PROCESS_INPUTS,
    sideEffects: true,
    async handle(message, context) {
      const { processId, input } = processInputOf(message);
      const stored = await processes.load(processId, context.tx.db);
      const step = registrationProcessStep(stored?.state, input, { now: new Date().toISOString(), releaseBufferSeconds, newId });
      if (step.ignored) {
        const log = step.ignored.expected ? logger.info.bind(logger) : logger.warn.bind(logger);
        log({ handler: REGISTRATION_PROCESS_MANAGER, processId, messageId: message.metadata.messageId, type: message.type }, step.ignored.reason);
        return;
      }
      if (step.state === undefined) {
        // No process to save (a payment for an unknown order): its refund is sent on its own.
        for (const { type, data, target, id } of step.commands) await context.send(type, data, { target, id });
        return;
      }
      await processes.save(context.tx, processId, stored?.version ?? -1, step.state, originOf(message), step);
    },
  };
}
