import { ordersProjection } from '../contexts/conference-management/projections/orders.ts';
import { seatSalesProjection } from '../contexts/conference-management/projections/seat-sales.ts';
import { catalogueProjection } from '../contexts/registration/catalogue/projection.ts';
import { draftOrdersProjection } from '../contexts/registration/read-models/draft-orders.ts';
import { paymentsProjection } from '../contexts/registration/read-models/payments.ts';
import { pricedOrdersProjection } from '../contexts/registration/read-models/priced-orders.ts';
import { seatAssignmentsProjection } from '../contexts/registration/read-models/seat-assignments.ts';
import { seatAvailabilityProjection } from '../contexts/registration/read-models/seat-availability.ts';
import type { MessageRegistry } from '../platform/messages/registry.ts';
import type { MessageHandler } from '../platform/processing/handler.ts';
import type { Logger } from '../platform/processing/logger.ts';
import type { ReadModelUnit } from '../platform/read-models/unit.ts';
import { ReadModelVersions } from '../platform/read-models/versions.ts';
import type { Store } from '../platform/store/store.ts';

/**
 * The rebuildable read models (ADR 007), each with the projections that write its tables. The
 * catalogue's conferences and seat types are one unit (seat availability writes the seat-type rows
 * too), and so are the management orders, seat sales and sales series (a confirmation writes sold
 * seats and the day's sales).
 */
export const READ_MODEL_UNITS: readonly ReadModelUnit[] = [
  {
    name: 'catalogue',
    names: ['conferences', 'seat-types'],
    handlers: [catalogueProjection, seatAvailabilityProjection],
    tables: ['reg_conferences', 'reg_seat_types'],
  },
  { name: 'draft-orders', names: ['draft-orders'], handlers: [draftOrdersProjection], tables: ['reg_draft_orders', 'reg_draft_order_lines'] },
  { name: 'priced-orders', names: ['priced-orders'], handlers: [pricedOrdersProjection], tables: ['reg_priced_orders', 'reg_priced_order_lines'] },
  {
    name: 'seat-assignments',
    names: ['seat-assignments'],
    handlers: [seatAssignmentsProjection],
    tables: ['reg_seat_assignments', 'reg_assigned_seats'],
  },
  { name: 'payments', names: ['payments'], handlers: [paymentsProjection], tables: ['reg_payments'] },
  {
    name: 'management',
    names: ['management-orders', 'seat-sales', 'sales-over-time'],
    handlers: [ordersProjection, seatSalesProjection],
    tables: ['mgmt_orders', 'mgmt_order_seats', 'mgmt_assignments', 'mgmt_refunds', 'mgmt_availability', 'mgmt_reservations', 'mgmt_sales_by_day', 'seat_sales'],
  },
];

/** The application's read-model versions over a store. */
export function readModelVersions(store: Store, registry: MessageRegistry, logger?: Logger): ReadModelVersions {
  return new ReadModelVersions(store, registry, READ_MODEL_UNITS, logger);
}

/** Every projection as the worker runs it: writing its read model's live version. */
export function readModelHandlers(store: Store, registry: MessageRegistry): MessageHandler[] {
  const versions = readModelVersions(store, registry);
  return READ_MODEL_UNITS.flatMap((unit) => versions.liveHandlers(unit));
}
