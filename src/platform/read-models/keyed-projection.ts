import type { LoggedMessage } from '../messages/envelope.ts';
import type { MessageRegistry } from '../messages/registry.ts';
import { HandlerContext, type MessageHandler } from '../processing/handler.ts';
import { eventsToApply } from '../processing/in-order.ts';
import type { Store, Tx } from '../store/store.ts';

/** A row's state as a keyed projection folds it: `version` is the last stream version applied (−1: none). */
export interface KeyedState {
  readonly version: number;
}

/** A row whose state changed in a batch, with the state it had before (undefined: a new row). */
export interface KeyedChange<S> {
  readonly key: string;
  readonly state: S;
  readonly before: S | undefined;
}

/** What a fold may look up besides its state; `memo` lives as long as one batch. */
export interface FoldScope {
  readonly tx: Tx;
  readonly memo: Map<string, unknown>;
}

/**
 * A projection whose rows are keyed (one per order, payment, …) and whose row state is a fold of
 * messages (DOMAIN 5.1). The platform loads the rows a batch touches in one query, folds every
 * message in memory, and saves each changed row once: the same code serves a live delivery (a batch
 * of one) and a replay (thousands of log entries per transaction, ADR 007).
 */
export interface KeyedProjection<S extends KeyedState> {
  readonly name: string;
  readonly types: readonly string[];
  /** The row a message belongs to; by default its stream's id. */
  keyOf?(message: LoggedMessage): string;
  /**
   * Whether the message is an event of the row's own stream, applied once in version order — earlier
   * versions missing from the row are read from the stream first (P1, P2). Default: every message.
   */
  inStream?(message: LoggedMessage): boolean;
  /** The stored rows of these keys (absent keys have no row yet). */
  load(tx: Tx, keys: readonly string[]): Promise<Map<string, S>>;
  /** The row after one more message; may look things up through `scope`. */
  evolve(state: S | undefined, key: string, message: LoggedMessage, scope: FoldScope): S | Promise<S>;
  /** Writes the changed rows (at most {@link KEYED_CHUNK} per call). */
  save(tx: Tx, changes: ReadonlyArray<KeyedChange<S>>): Promise<void>;
}

/** Keys per load and rows per save: well inside both stores' limits on bound parameters. */
export const KEYED_CHUNK = 500;

/** The projection as a handler: live deliveries and replays fold through {@link foldBatch}. */
export function keyedHandler<S extends KeyedState>(projection: KeyedProjection<S>): MessageHandler {
  return {
    name: projection.name,
    types: projection.types,
    sideEffects: false,
    handle: (message, context) => foldBatch(projection, [message], context.store, context.registry, context.tx, context.replaying),
    handleBatch: (messages, context) => foldBatch(projection, messages, context.store, context.registry, context.tx, context.replaying),
  };
}

/** Folds `messages` (in log order) into the rows they touch and saves each changed row once. */
export async function foldBatch<S extends KeyedState>(
  projection: KeyedProjection<S>,
  messages: readonly LoggedMessage[],
  store: Store,
  registry: MessageRegistry,
  tx: Tx,
  replaying: boolean,
): Promise<void> {
  const keyOf = projection.keyOf ?? ((message: LoggedMessage) => message.metadata.sourceId);
  const inStream = projection.inStream ?? (() => true);
  const keys = [...new Set(messages.map(keyOf))];
  const before = new Map<string, S>();
  for (const chunk of chunks(keys)) for (const [key, state] of await projection.load(tx, chunk)) before.set(key, state);
  const states = new Map(before);
  const scope: FoldScope = { tx, memo: new Map() };
  for (const message of messages) {
    const key = keyOf(message);
    let state = states.get(key);
    const applied = state?.version ?? -1;
    if (!inStream(message) || message.metadata.version === applied + 1) {
      state = await projection.evolve(state, key, message, scope);
    } else {
      for (const event of await eventsToApply(new HandlerContext(store, registry, tx, message, replaying), applied)) {
        state = await projection.evolve(state, key, event, scope);
      }
    }
    if (state) states.set(key, state);
  }
  const changes: KeyedChange<S>[] = [];
  for (const [key, state] of states) if (state !== before.get(key)) changes.push({ key, state, before: before.get(key) });
  if (changes.length === 0) return;
  for (const chunk of chunks(changes)) await projection.save(tx, chunk);
  tx.topics.add('read_models');
}

function chunks<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += KEYED_CHUNK) result.push(items.slice(start, start + KEYED_CHUNK));
  return result;
}
