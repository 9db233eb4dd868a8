import type { Settings } from '../config.ts';
import { notificationHandlers } from '../contexts/notifications/handlers.ts';
import { paymentHandlers } from '../contexts/payments/handlers.ts';
import { registrationHandlers } from '../contexts/registration/handlers.ts';
import type { MessageRegistry } from '../platform/messages/registry.ts';
import type { MessageHandler } from '../platform/processing/handler.ts';
import type { Logger } from '../platform/processing/logger.ts';
import type { Store } from '../platform/store/store.ts';
import { readModelHandlers } from './read-models.ts';

export interface HandlerDependencies {
  settings: Settings;
  store: Store;
  registry: MessageRegistry;
  logger: Logger;
}

/** Every handler the worker role runs: process managers, command handlers, projections, e-mail writers. */
export function messageHandlers(dependencies: HandlerDependencies): MessageHandler[] {
  return [
    ...readModelHandlers(dependencies.store, dependencies.registry),
    ...registrationHandlers(dependencies),
    ...paymentHandlers(dependencies),
    ...notificationHandlers(dependencies),
  ];
}
