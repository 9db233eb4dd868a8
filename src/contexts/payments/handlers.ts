import type { HandlerDependencies } from '../../app/handlers.ts';
import type { MessageHandler } from '../../platform/processing/handler.ts';
import { paymentsCommandHandler } from './command-handlers.ts';

/** Payments' queued commands (refunds sent by the process manager). */
export function paymentHandlers({ store, registry, logger }: HandlerDependencies): MessageHandler[] {
  return [paymentsCommandHandler(store, registry, logger)];
}
