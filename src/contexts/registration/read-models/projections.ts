import type { MessageHandler } from '../../../platform/processing/handler.ts';
import { draftOrdersProjection } from './draft-orders.ts';
import { paymentsProjection } from './payments.ts';
import { pricedOrdersProjection } from './priced-orders.ts';
import { seatAssignmentsProjection } from './seat-assignments.ts';
import { seatAvailabilityProjection } from './seat-availability.ts';

/** Registration's read models of DOMAIN 5.2 besides the catalogue. */
export const registrationProjections: MessageHandler[] = [
  draftOrdersProjection,
  pricedOrdersProjection,
  seatAssignmentsProjection,
  paymentsProjection,
  seatAvailabilityProjection,
];
