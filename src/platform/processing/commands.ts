import type { LoggedMessage, Message } from '../messages/envelope.ts';
import { originOf } from '../messages/factory.ts';
import type { MessageRegistry } from '../messages/registry.ts';
import { type AggregateCache, aggregateCacheOf } from './aggregate-cache.ts';
import { ConcurrencyError } from '../store/errors.ts';
import type { Store, StreamId, Tx } from '../store/store.ts';
import type { HandlerContext, MessageHandler } from './handler.ts';
import type { Logger } from './logger.ts';

/** A command the current state refuses (HTTP: 409; queued: logged as a warning, never dead-lettered). */
export class DomainError extends Error {
  override readonly name: string = 'DomainError';
}

export interface TypedMessage {
  type: string;
  data: unknown;
}

/** An aggregate as a pure decider (ARCHITECTURE 4). `decide` throws a {@link DomainError} to refuse. */
export interface Decider<S, C extends TypedMessage, E extends TypedMessage> {
  initialState: S;
  evolve(state: S, event: E): S;
  decide(command: C, state: S): E[];
}

export interface Aggregate<S, C extends TypedMessage, E extends TypedMessage> {
  sourceType: string;
  decider: Decider<S, C, E>;
}

export interface LoadedAggregate<S> {
  state: S;
  version: number;
}

/**
 * Folds a stream's events (upcast to their current shapes) into the aggregate's state, starting from
 * the state cached for the store (only the events after it are read). Inside a transaction the
 * result may include the transaction's own writes, so it is cached only once that commits.
 */
export async function loadAggregate<S, C extends TypedMessage, E extends TypedMessage>(
  store: Store,
  registry: MessageRegistry,
  aggregate: Aggregate<S, C, E>,
  sourceId: string,
  tx?: Tx,
): Promise<LoadedAggregate<S>> {
  const cache = aggregateCacheOf(store);
  const key = cacheKey(aggregate, sourceId);
  const cached = cache.get(aggregate, key) as LoadedAggregate<S> | undefined;
  const events = await store.readStream(
    { sourceType: aggregate.sourceType, sourceId },
    { afterVersion: cached?.version ?? -1, executor: tx?.db },
  );
  let state = cached?.state ?? aggregate.decider.initialState;
  for (const stored of events) {
    const event = registry.upcast(stored);
    state = aggregate.decider.evolve(state, { type: event.type, data: event.data } as E);
  }
  const loaded = { state, version: events.length === 0 ? (cached?.version ?? -1) : events[events.length - 1].metadata.version! };
  if (events.length > 0) remember(cache, aggregate, key, loaded, tx);
  return loaded;
}

function cacheKey(aggregate: Aggregate<unknown, TypedMessage, TypedMessage>, sourceId: string): string {
  return `${aggregate.sourceType}\u0000${sourceId}`;
}

function remember<S>(cache: AggregateCache, owner: object, key: string, loaded: LoadedAggregate<S>, tx?: Tx): void {
  if (tx) tx.afterCommit(() => cache.put(owner, key, loaded));
  else cache.put(owner, key, loaded);
}

/**
 * Runs a command against its aggregate inside `tx`: load, decide, append at the loaded version. The
 * events carry the command's correlation and the command as their cause. `context` holds values the
 * decider needs besides the logged payload (the time of handling, prices read by the handler): they
 * are merged into the data the decider sees and never logged.
 */
export async function decideAndAppend<S, C extends TypedMessage, E extends TypedMessage>(
  store: Store,
  registry: MessageRegistry,
  tx: Tx,
  aggregate: Aggregate<S, C, E>,
  sourceId: string,
  command: Message,
  context: Record<string, unknown> = {},
): Promise<LoggedMessage[]> {
  const { state, version } = await loadAggregate(store, registry, aggregate, sourceId, tx);
  const data = { ...(command.data as object), ...context };
  const events = aggregate.decider.decide({ type: command.type, data } as C, state);
  const stream: StreamId = { sourceType: aggregate.sourceType, sourceId };
  const appended = await store.appendToStream(tx, stream, version, events, originOf(command));
  if (events.length > 0) {
    const after = events.reduce((folded, event) => aggregate.decider.evolve(folded, event), state);
    remember(aggregateCacheOf(store), aggregate, cacheKey(aggregate, sourceId), { state: after, version: version + events.length }, tx);
  }
  return appended;
}

/** Retries `work` at once on concurrency conflicts, up to `maxConflicts` tries in all (guarantee 2). */
export async function retryOnConflict<T>(work: () => Promise<T>, maxConflicts = 50): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= maxConflicts) throw error;
    }
  }
}

export interface Executed<T> {
  result: T;
  /** Highest log position the command's transaction wrote. */
  position: number;
}

/**
 * The HTTP path (ARCHITECTURE 1): decides and appends a command inside the request. The command is
 * logged in the same transaction as its effects, so a refused command stores nothing. It is logged
 * without a target: queued-command handlers never run it again.
 */
export async function executeCommand<T>(
  store: Store,
  command: Message,
  work: (tx: Tx) => Promise<T>,
  maxConflicts = 50,
): Promise<Executed<T>> {
  const logged: Message = { ...command, metadata: { ...command.metadata, target: null } };
  return retryOnConflict(
    () =>
      store.transaction(async (tx) => {
        await store.append(tx, [logged]);
        const result = await work(tx);
        return { result, position: tx.maxPosition };
      }),
    maxConflicts,
  );
}

export type CommandHandlerFn = (command: LoggedMessage, context: HandlerContext) => Promise<void>;

/**
 * The consumer of queued commands (sent by process managers and timers) for a set of command types.
 * Commands executed over HTTP carry no target and are not run again. A refused command leaves
 * nothing behind (its handler runs in a savepoint) and is logged as a warning, never dead-lettered.
 */
export function queuedCommandHandler(
  name: string,
  handlers: Record<string, CommandHandlerFn>,
  logger: Logger,
): MessageHandler {
  return {
    name,
    types: Object.keys(handlers),
    sideEffects: true,
    async handle(command, context) {
      if (!command.metadata.target) return;
      try {
        await context.tx.savepoint(() => handlers[command.type](command, context));
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        logger.warn(
          { handler: name, messageId: command.metadata.messageId, correlationId: command.metadata.correlationId, type: command.type, reason: error.message },
          'command refused',
        );
      }
    },
  };
}
