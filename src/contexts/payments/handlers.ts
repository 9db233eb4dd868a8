import type { HandlerDependencies } from '../../app/handlers.ts';
import type { MessageHandler } from '../../platform/processing/handler.ts';

/** Payments' queued commands (refunds sent by the process manager). */
export function paymentHandlers(_dependencies: HandlerDependencies): MessageHandler[] {
  return [];
}
