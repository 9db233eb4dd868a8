import type { LoggedMessage, Message } from '../messages/envelope.ts';
import { newCommand, originOf } from '../messages/factory.ts';
import type { MessageRegistry } from '../messages/registry.ts';
import type { Store, Tx } from '../store/store.ts';

/** What a handler may do while it handles one message: everything goes into `tx`. */
export class HandlerContext {
  constructor(
    readonly store: Store,
    /** Upcasts what a handler reads besides the delivered message (e.g. earlier events of its stream). */
    readonly registry: MessageRegistry,
    readonly tx: Tx,
    readonly message: LoggedMessage,
    /** True during replays and rebuilds: no commands, e-mails or timers (DOMAIN 7.2). */
    readonly replaying = false,
  ) {}

  /** Sends a queued command, carrying correlation and causation from the message being handled. */
  async send<T extends string, D>(type: T, data: D, options: { target: string; id?: string }): Promise<Message<T, D>> {
    const command = newCommand(type, data, { ...options, origin: originOf(this.message) });
    await this.store.append(this.tx, [command]);
    return command;
  }
}

/** A named consumer of the log with its own checkpoint (ARCHITECTURE 1). */
export interface MessageHandler {
  /** Unique; names the checkpoint and the dead-letter list. */
  readonly name: string;
  /** Current type names it handles; stored names that upcast into them are read too. */
  readonly types: readonly string[];
  /** Side-effecting handlers (commands, e-mails, timers) skip imported messages (DOMAIN 7.5). */
  readonly sideEffects: boolean;
  /** Messages handled in one transaction when all succeed (default 100). */
  readonly batchSize?: number;
  handle(message: LoggedMessage, context: HandlerContext): Promise<void>;
  /**
   * Optional: many messages (in log order) in one go, with the same result as {@link handle} on each
   * in turn. Replays and rebuilds feed whole batches through it (ADR 007).
   */
  handleBatch?(messages: readonly LoggedMessage[], context: BatchContext): Promise<void>;
}

/** What {@link MessageHandler.handleBatch} works with: everything goes into `tx`. */
export interface BatchContext {
  readonly store: Store;
  readonly registry: MessageRegistry;
  readonly tx: Tx;
  readonly replaying: boolean;
}
