import type { HandlerDependencies } from '../../app/handlers.ts';
import type { MessageHandler } from '../../platform/processing/handler.ts';

/** Handlers that record the e-mails of DOMAIN 3.4 triggered by events. */
export function notificationHandlers(_dependencies: HandlerDependencies): MessageHandler[] {
  return [];
}
