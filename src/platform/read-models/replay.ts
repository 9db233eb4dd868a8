import type { LoggedMessage } from '../messages/envelope.ts';
import type { MessageRegistry } from '../messages/registry.ts';
import { HandlerContext, type MessageHandler } from '../processing/handler.ts';
import type { Logger } from '../processing/logger.ts';
import type { Store, Tx } from '../store/store.ts';
import { type ReadModelUnit, versionTables } from './unit.ts';

/** Messages fed to a version in one transaction. */
export const REPLAY_BATCH = 2000;

/**
 * Feeds log entries to a unit's projections, writing into one version's tables, with side effects
 * disabled (`HandlerContext.replaying`). A message a projection cannot handle is skipped and counted:
 * the version goes on without it (the live version dead-lettered it, or the rebuild is meant to fix it).
 */
export class VersionReplayer {
  readonly storedTypes: string[];
  readonly #storedTypeSet: ReadonlySet<string>;
  readonly #handlers: Array<{ handler: MessageHandler; types: ReadonlySet<string> }>;
  readonly #tables: Map<string, string>;
  /** A unit of one projection that folds whole batches (several would interleave differently). */
  readonly #batched: boolean;
  failed = 0;
  applied = 0;

  constructor(
    private readonly store: Store,
    private readonly registry: MessageRegistry,
    readonly unit: ReadModelUnit,
    readonly version: number,
    private readonly logger?: Logger,
  ) {
    this.#handlers = unit.handlers.map((handler) => ({
      handler,
      types: new Set(handler.types.flatMap((type) => registry.storedNamesOf(type))),
    }));
    this.storedTypes = [...new Set(this.#handlers.flatMap(({ types }) => [...types]))];
    this.#storedTypeSet = new Set(this.storedTypes);
    this.#tables = versionTables(unit, version);
    this.#batched = unit.handlers.length === 1 && unit.handlers[0].handleBatch !== undefined;
  }

  /** Whether a log entry is of a type the unit's projections take. */
  reads(message: LoggedMessage): boolean {
    return this.#storedTypeSet.has(message.type);
  }

  /**
   * Applies `messages` in `tx`: as whole batches where every projection of the unit takes them
   * (`handleBatch`), else one message at a time. A batch that fails is applied again one message per
   * savepoint.
   */
  async apply(tx: Tx, messages: readonly LoggedMessage[]): Promise<void> {
    await this.store.tableNames.runWith(this.#tables, async () => {
      try {
        await tx.savepoint(async () => {
          if (this.#batched) await this.#applyBatch(tx, messages);
          else for (const message of messages) await this.#applyOne(tx, message);
        });
      } catch {
        for (const message of messages) {
          try {
            await tx.savepoint(() => this.#applyOne(tx, message));
          } catch (error) {
            this.failed++;
            this.logger?.warn({ err: error, readModel: this.unit.name, version: this.version, position: message.metadata.position }, 'replay skipped a message');
          }
        }
      }
    });
    this.applied += messages.length;
  }

  /** The unit's one projection folds the whole batch (read for its types only) in one go. */
  async #applyBatch(tx: Tx, stored: readonly LoggedMessage[]): Promise<void> {
    const messages = stored.map((message) => this.registry.decode(message));
    await this.unit.handlers[0].handleBatch!(messages, { store: this.store, registry: this.registry, tx, replaying: true });
  }

  async #applyOne(tx: Tx, stored: LoggedMessage): Promise<void> {
    const message = this.registry.decode(stored);
    for (const { handler, types } of this.#handlers) {
      if (types.has(stored.type)) await handler.handle(message, new HandlerContext(this.store, this.registry, tx, message, true));
    }
  }
}
