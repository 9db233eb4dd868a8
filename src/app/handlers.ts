import type { Settings } from '../config.ts';
import { ordersProjection } from '../contexts/conference-management/projections/orders.ts';
import { seatSalesProjection } from '../contexts/conference-management/projections/seat-sales.ts';
import { catalogueProjection } from '../contexts/registration/catalogue/projection.ts';
import type { MessageRegistry } from '../platform/messages/registry.ts';
import type { MessageHandler } from '../platform/processing/handler.ts';
import type { Store } from '../platform/store/store.ts';

export interface HandlerDependencies {
  settings: Settings;
  store: Store;
  registry: MessageRegistry;
}

/** Every handler the worker role runs: process managers, projections, senders. */
export function messageHandlers(_dependencies: HandlerDependencies): MessageHandler[] {
  return [catalogueProjection, ordersProjection, seatSalesProjection];
}
