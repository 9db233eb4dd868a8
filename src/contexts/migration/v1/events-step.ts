/**
 * Steps 3 and 4 of the import (DOMAIN 7.5): every V1 stream event is copied into the V2 stream of
 * the same id and version, payload unchanged (schema version 0, upcast when read), with metadata
 * (`<SourceType>_<SourceId>_<Version>` message id, storage time, `Imported: true`, `Derived` where
 * the upcaster needs it), into the log in timestamp order, at most 1000 rows per transaction. What
 * is logged already is skipped; a V1 event whose stream version V2 has used for another event is
 * not copied and reported.
 */
import type { Message } from '../../../platform/messages/envelope.ts';
import { streamEventId } from '../../../platform/messages/envelope.ts';
import type { Store } from '../../../platform/store/store.ts';
import { eventKey, type V1History } from './history.ts';
import { V1_EVENT_TYPES, V1_SCHEMA_VERSION } from './upcasters.ts';
import type { V1Event, V1Store } from './v1-store.ts';

export const BATCH_ROWS = 1000;

export interface EventsResult {
  read: number;
  written: number;
  alreadyLogged: number;
  /** V1 events whose V2 stream version is taken by another event. */
  conflicts: string[];
  /** Events of types the import does not know, by type. */
  unknownTypes: Record<string, number>;
}

const KNOWN = new Set(V1_EVENT_TYPES);

/** The correlation of a V1 event: its order (the flow it belongs to), else the conference. */
function correlationOf(event: V1Event, history: V1History, reservationOrders: Map<string, string>): string {
  switch (event.aggregateType) {
    case 'Order':
      return event.aggregateId;
    case 'SeatAssignments':
      return history.assignmentsOrders.get(event.aggregateId) ?? event.aggregateId;
    default: {
      const reservationId = event.payload.ReservationId;
      return typeof reservationId === 'string' ? (reservationOrders.get(reservationId) ?? reservationId) : event.aggregateId;
    }
  }
}

export function v1EventMessage(event: V1Event, history: V1History, reservationOrders: Map<string, string>): Message {
  const derived = history.derived.get(eventKey(event.aggregateType, event.aggregateId, event.version));
  return {
    type: event.type,
    data: event.payload,
    metadata: {
      messageId: streamEventId(event.aggregateType, event.aggregateId, event.version),
      kind: 'event',
      schemaVersion: V1_SCHEMA_VERSION,
      sourceType: event.aggregateType,
      sourceId: event.aggregateId,
      version: event.version,
      correlationId: correlationOf(event, history, reservationOrders),
      causationId: null,
      createdAt: event.timestamp,
      Imported: true,
      ...(derived ? { Derived: derived } : {}),
    },
  };
}

export async function importEvents(
  store: Store,
  v1: V1Store,
  history: V1History,
  options: { reservationOrders: Map<string, string>; dryRun: boolean; onProgress: (done: number) => void },
): Promise<EventsResult> {
  const result: EventsResult = { read: 0, written: 0, alreadyLogged: 0, conflicts: [], unknownTypes: {} };
  let batch: Message[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const messages = batch;
    batch = [];
    await writeBatch(store, messages, result, options.dryRun);
    options.onProgress(result.read);
  };
  for (const event of v1.events()) {
    result.read++;
    if (!KNOWN.has(event.type)) {
      result.unknownTypes[event.type] = (result.unknownTypes[event.type] ?? 0) + 1;
      continue;
    }
    batch.push(v1EventMessage(event, history, options.reservationOrders));
    if (batch.length >= BATCH_ROWS) await flush();
  }
  await flush();
  options.onProgress(result.read);
  return result;
}

async function writeBatch(store: Store, messages: Message[], result: EventsResult, dryRun: boolean): Promise<void> {
  const ids = messages.map((m) => m.metadata.messageId);
  // A stream event's id is its stream position: logged and imported = copied before; logged but
  // not imported = V2 wrote its own event at that version meanwhile.
  const logged = new Map(
    (await store.db.selectFrom('messages').select(['message_id', 'metadata']).where('message_id', 'in', ids).execute()).map((r) => [
      r.message_id,
      (JSON.parse(r.metadata) as { Imported?: unknown }).Imported === true,
    ]),
  );
  const fresh = messages.filter((m) => {
    const imported = logged.get(m.metadata.messageId);
    if (imported === undefined) return true;
    if (imported) result.alreadyLogged++;
    else result.conflicts.push(m.metadata.messageId);
    return false;
  });
  if (fresh.length === 0) return;
  // A stream V2 has written to meanwhile may have taken the version of a V1 event: its V2 head is
  // at or beyond it (stream versions are dense), read through the stream index.
  const streams = new Map<string, { sourceType: string; sourceId: string }>();
  for (const m of fresh) streams.set(`${m.metadata.sourceType}_${m.metadata.sourceId}`, { sourceType: m.metadata.sourceType, sourceId: m.metadata.sourceId });
  const heads = new Map<string, number>();
  for (const { sourceType, sourceId } of streams.values()) {
    const head = await store.streamVersion(store.db, { sourceType, sourceId });
    if (head >= 0) heads.set(`${sourceType}_${sourceId}`, head);
  }
  const writable = fresh.filter((m) => {
    const head = heads.get(`${m.metadata.sourceType}_${m.metadata.sourceId}`);
    if (head === undefined || (m.metadata.version ?? 0) > head) return true;
    result.conflicts.push(m.metadata.messageId);
    return false;
  });
  if (dryRun || writable.length === 0) return;
  await store.transaction(async (tx) => {
    result.written += (await store.append(tx, writable)).length;
  });
}
