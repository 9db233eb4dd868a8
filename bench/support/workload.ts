/** The events the store benchmarks append, and the log rows a raw driver writes for them. */
import { originFromRequest, type Origin } from '../../src/platform/messages/factory.ts';
import type { NewEvent, StreamId } from '../../src/platform/store/store.ts';
import type { RawRow } from './raw.ts';

/** Events per stream in the single-append workloads: then the next stream begins. */
export const STREAM_LENGTH = 20;
/** Events per transaction in the batched workloads. */
export const BATCH = 100;

/** A realistic small event (≈ 300 bytes of JSON), built afresh for every append on both sides. */
export function seatsReserved(stream: StreamId, n: number): NewEvent {
  return {
    type: 'SeatsReserved',
    data: {
      orderId: stream.sourceId,
      conferenceId: '0190a3c2-7d1e-7c4b-9a51-3f2d8e6b1c40',
      reservationExpiration: '2025-11-26T18:30:00.000Z',
      seats: [
        { seatType: '0190a3c2-7d1e-7c4b-9a51-3f2d8e6b1c41', quantity: 2 + (n % 3) },
        { seatType: '0190a3c2-7d1e-7c4b-9a51-3f2d8e6b1c42', quantity: 1 },
      ],
      sequence: n,
    },
  };
}

/**
 * The log row `Store.appendToStream` writes for an event, built the minimal way a raw driver user
 * would (checked against the store's own row by `checkSameRows`).
 */
export function eventRow(stream: StreamId, version: number, event: NewEvent, origin: Origin, createdAt: string): RawRow {
  return {
    message_id: `${stream.sourceType}_${stream.sourceId}_${version}`,
    kind: 'event',
    type: event.type,
    schema_version: event.schemaVersion ?? 1,
    source_type: stream.sourceType,
    source_id: stream.sourceId,
    version,
    correlation_id: origin.correlationId,
    causation_id: origin.causationId,
    created_at: createdAt,
    target: null,
    payload: JSON.stringify(event.data ?? null),
    metadata: '{}',
  };
}

export interface NextAppend {
  stream: StreamId;
  /** The version of the event to write (the stream is at version − 1). */
  version: number;
  event: NewEvent;
  origin: Origin;
}

/** Sequential versions: events 0‥19 of stream `<tag>-0`, then of `<tag>-1`, … */
export class StreamCursor {
  #n = 0;
  constructor(readonly tag: string) {}
  next(): NextAppend {
    const n = this.#n++;
    const stream = { sourceType: 'Order', sourceId: `${this.tag}-${Math.floor(n / STREAM_LENGTH)}` };
    return { stream, version: n % STREAM_LENGTH, event: seatsReserved(stream, n), origin: originFromRequest(stream.sourceId) };
  }
}

export interface NextBatch {
  stream: StreamId;
  events: NewEvent[];
  origin: Origin;
}

/** A fresh stream per batch of BATCH events. */
export class BatchCursor {
  #n = 0;
  constructor(readonly tag: string) {}
  next(): NextBatch {
    const stream = { sourceType: 'Order', sourceId: `${this.tag}-${this.#n++}` };
    return {
      stream,
      events: Array.from({ length: BATCH }, (_, i) => seatsReserved(stream, i)),
      origin: originFromRequest(stream.sourceId),
    };
  }
}

/** The rows of a batch, as a raw driver user builds them. */
export function batchRows({ stream, events, origin }: NextBatch): RawRow[] {
  const createdAt = new Date().toISOString();
  return events.map((event, i) => eventRow(stream, i, event, origin, createdAt));
}
