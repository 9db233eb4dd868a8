/**
 * Creates the seat assignments of a confirmed order (DOMAIN 3.2.5): one slot per purchased seat,
 * following the lines of the order's latest `OrderTotalsCalculated`. Nothing changes when they exist
 * already, so a redelivered `OrderConfirmed` creates nothing twice.
 */
import type { MessageRegistry } from '../../platform/messages/registry.ts';
import { decideAndAppend, loadAggregate } from '../../platform/processing/commands.ts';
import type { MessageHandler } from '../../platform/processing/handler.ts';
import type { Store } from '../../platform/store/store.ts';
import type { OrderEventType } from './contract.ts';
import { orderAggregate } from './order.ts';
import { type CreateSeatAssignments, seatAssignmentsAggregate, seatAssignmentsId } from './seat-assignments.ts';

export const SEAT_ASSIGNMENTS_CREATOR = 'seat-assignments-creator';

export function seatAssignmentsCreator(store: Store, registry: MessageRegistry): MessageHandler {
  return {
    name: SEAT_ASSIGNMENTS_CREATOR,
    types: ['OrderConfirmed'] satisfies OrderEventType[],
    sideEffects: true,
    async handle(message, { tx }) {
      const orderId = message.metadata.sourceId;
      const { state } = await loadAggregate(store, registry, orderAggregate, orderId, tx);
      const data: CreateSeatAssignments['data'] = { orderId, conferenceId: state.conferenceId, lines: state.lines };
      // An internal command, never logged: its events are caused by the `OrderConfirmed` itself.
      const create = { type: 'CreateSeatAssignments', data, metadata: message.metadata };
      await decideAndAppend(store, registry, tx, seatAssignmentsAggregate, seatAssignmentsId(orderId), create);
    },
  };
}
