import type { Settings } from '../config.ts';
import { ordersProjection } from '../contexts/conference-management/projections/orders.ts';
import { seatSalesProjection } from '../contexts/conference-management/projections/seat-sales.ts';
import { notificationHandlers } from '../contexts/notifications/handlers.ts';
import { paymentHandlers } from '../contexts/payments/handlers.ts';
import { catalogueProjection } from '../contexts/registration/catalogue/projection.ts';
import { registrationHandlers } from '../contexts/registration/handlers.ts';
import { registrationProjections } from '../contexts/registration/read-models/projections.ts';
import type { MessageRegistry } from '../platform/messages/registry.ts';
import type { MessageHandler } from '../platform/processing/handler.ts';
import type { Logger } from '../platform/processing/logger.ts';
import type { Store } from '../platform/store/store.ts';

export interface HandlerDependencies {
  settings: Settings;
  store: Store;
  registry: MessageRegistry;
  logger: Logger;
}

/** Every handler the worker role runs: process managers, command handlers, projections, e-mail writers. */
export function messageHandlers(dependencies: HandlerDependencies): MessageHandler[] {
  return [
    catalogueProjection,
    ...registrationProjections,
    ordersProjection,
    seatSalesProjection,
    ...registrationHandlers(dependencies),
    ...paymentHandlers(dependencies),
    ...notificationHandlers(dependencies),
  ];
}
