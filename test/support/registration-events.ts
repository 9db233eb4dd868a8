import { PAYMENT_SOURCE, type PaymentEventType } from '../../src/contexts/payments/contract.ts';
import {
  ORDER_SOURCE,
  type OrderEventType,
  SEAT_ASSIGNMENTS_SOURCE,
  SEATS_AVAILABILITY_SOURCE,
  type SeatAssignmentsEventType,
  type SeatsAvailabilityEventType,
} from '../../src/contexts/registration/contract.ts';
import { type Message, streamEventId } from '../../src/platform/messages/envelope.ts';
import { newEvent, originFromRequest } from '../../src/platform/messages/factory.ts';

/**
 * The events of one Registration or Payments stream, built as their aggregates write them: ids
 * `<SourceType>_<SourceId>_<Version>`, versions from 0, correlated with the order (or conference).
 * `at` is the event's timestamp (defaults to now).
 */
export class StreamEvents<T extends string> {
  #version = 0;
  constructor(
    readonly sourceType: string,
    readonly sourceId: string,
    readonly correlationId: string,
  ) {}

  next(type: T, data: object, at?: string): Message {
    const version = this.#version++;
    return newEvent(type, data, {
      sourceType: this.sourceType,
      sourceId: this.sourceId,
      version,
      messageId: streamEventId(this.sourceType, this.sourceId, version),
      origin: originFromRequest(this.correlationId),
      ...(at ? { createdAt: new Date(at) } : {}),
    });
  }
}

export const orderStream = (orderId: string) => new StreamEvents<OrderEventType>(ORDER_SOURCE, orderId, orderId);
export const availabilityStream = (conferenceId: string) => new StreamEvents<SeatsAvailabilityEventType>(SEATS_AVAILABILITY_SOURCE, conferenceId, conferenceId);
export const assignmentsStream = (assignmentsId: string, orderId: string) =>
  new StreamEvents<SeatAssignmentsEventType>(SEAT_ASSIGNMENTS_SOURCE, assignmentsId, orderId);
export const paymentStream = (paymentId: string, orderId: string) => new StreamEvents<PaymentEventType>(PAYMENT_SOURCE, paymentId, orderId);
