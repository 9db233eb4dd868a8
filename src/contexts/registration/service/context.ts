/**
 * What every operation of the registrant's service stands on: the store, the catalogue, the read
 * models, and the HTTP command path (ARCHITECTURE 1: decided and appended inside the request).
 */
import type { Message } from '../../../platform/messages/envelope.ts';
import { newCommand, originFromRequest } from '../../../platform/messages/factory.ts';
import type { MessageRegistry } from '../../../platform/messages/registry.ts';
import { type Executed, loadAggregate, retryOnConflict } from '../../../platform/processing/commands.ts';
import type { Processing } from '../../../platform/processing/processing.ts';
import { HandlerProgress } from '../../../platform/processing/progress.ts';
import type { Store, Tx } from '../../../platform/store/store.ts';
import { Catalogue, type OrderingConference } from '../catalogue/queries.ts';
import { type OrderState, orderAggregate } from '../order.ts';
import { RegistrationReadModels } from '../read-models/queries.ts';

export interface RegistrationServiceOptions {
  store: Store;
  registry: MessageRegistry;
  /** The handlers this process runs, if any: waits then follow them in memory. */
  processing?: Processing;
  /** RESERVATION_HOLD_SECONDS (DOMAIN 3.5): replaces every conference's hold. */
  reservationHoldSeconds?: number;
}

export class ServiceContext {
  readonly store: Store;
  readonly registry: MessageRegistry;
  readonly catalogue: Catalogue;
  readonly readModels: RegistrationReadModels;
  readonly progress: HandlerProgress;
  readonly #holdOverride: number | undefined;

  constructor(options: RegistrationServiceOptions) {
    this.store = options.store;
    this.registry = options.registry;
    this.catalogue = new Catalogue(options.store);
    this.readModels = new RegistrationReadModels(options.store.db);
    this.progress = new HandlerProgress(options.store, options.registry, options.processing);
    this.#holdOverride = options.reservationHoldSeconds;
  }

  /** The Order aggregate as its stream says now (status `None` when there is no such order). */
  async order(orderId: string, tx?: Tx): Promise<OrderState> {
    return (await loadAggregate(this.store, this.registry, orderAggregate, orderId, tx)).state;
  }

  /** DOMAIN 3.2.3: the conference's hold, or the server's override. */
  holdSeconds(conference: OrderingConference): number {
    return this.#holdOverride ?? conference.reservationHoldMinutes * 60;
  }
}

/** A command sent over HTTP: correlated with the order it concerns, addressed to its stream. */
export function httpCommand<T extends string, D>(type: T, data: D, target: string, orderId: string): Message<T, D> {
  return newCommand(type, data, { target, origin: originFromRequest(orderId) });
}

/**
 * One write transaction for commands sent over HTTP, retried on concurrency conflicts: `work` logs
 * each command with {@link logCommand} before deciding it, so a refusal stores nothing at all.
 */
export function transact<T>(store: Store, work: (tx: Tx) => Promise<T>): Promise<Executed<T>> {
  return retryOnConflict(() => store.transaction(async (tx) => ({ result: await work(tx), position: tx.maxPosition })));
}

/** Logs an HTTP command (without a target: queued-command handlers never run it again). */
export async function logCommand(store: Store, tx: Tx, command: Message): Promise<void> {
  await store.append(tx, [{ ...command, metadata: { ...command.metadata, target: null } }]);
}

/** The time of handling, for deciders and hold checks: always the server's clock. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** DOMAIN 3.2.3: whether the hold of an order has ended at `now`. */
export function holdEnded(reservationAutoExpiration: string, now: string): boolean {
  return Date.parse(now) >= Date.parse(reservationAutoExpiration);
}
