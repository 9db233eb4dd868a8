import type { Message } from '../messages/envelope.ts';
import { newCommand, type Origin } from '../messages/factory.ts';
import { ConcurrencyError } from '../store/errors.ts';
import type { Executor } from '../store/dialect.ts';
import type { Store, Tx } from '../store/store.ts';
import type { Timers } from './timers.ts';

export interface OutgoingCommand {
  type: string;
  data: unknown;
  /** The stream the command is addressed to. */
  target: string;
  /** Fixed command id (new UUIDv7 unless given). */
  id?: string;
}

/** What a process manager's step sends, schedules and cancels besides its new state. */
export interface ProcessOutput {
  commands?: OutgoingCommand[];
  schedule?: Array<{ command: OutgoingCommand; dueAt: Date }>;
  cancel?: string[];
}

export interface StoredProcess<S> {
  state: S;
  version: number;
}

/**
 * State of a process manager, saved with optimistic concurrency together with the commands it sends
 * and the timers it schedules or cancels, in one transaction (guarantee 1). Sent commands go into the
 * log as queued commands: the log is the outbox, so nothing is lost between saving and sending.
 */
export class ProcessStore<S> {
  constructor(
    private readonly store: Store,
    private readonly timers: Timers,
    readonly processType: string,
  ) {}

  async load(id: string, executor: Executor = this.store.db): Promise<StoredProcess<S> | undefined> {
    const row = await executor
      .selectFrom('processes')
      .select(['state', 'version'])
      .where('process_type', '=', this.processType)
      .where('process_id', '=', id)
      .executeTakeFirst();
    return row ? { state: JSON.parse(row.state) as S, version: row.version } : undefined;
  }

  /**
   * Saves the state at `expectedVersion + 1` (−1: a new process). Throws {@link ConcurrencyError}
   * when another step saved first. Answers the commands sent.
   */
  async save(
    tx: Tx,
    id: string,
    expectedVersion: number,
    state: S,
    origin: Origin,
    output: ProcessOutput = {},
  ): Promise<Message[]> {
    const now = new Date().toISOString();
    const serialized = JSON.stringify(state);
    const name = `${this.processType}-${id}`;
    if (expectedVersion < 0) {
      try {
        await tx.db
          .insertInto('processes')
          .values({ process_type: this.processType, process_id: id, state: serialized, version: 0, updated_at: now })
          .execute();
      } catch (error) {
        if (this.store.dialect.isUniqueViolation(error)) throw new ConcurrencyError(name, expectedVersion);
        throw error;
      }
    } else {
      const result = await tx.db
        .updateTable('processes')
        .set({ state: serialized, version: expectedVersion + 1, updated_at: now })
        .where('process_type', '=', this.processType)
        .where('process_id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw new ConcurrencyError(name, expectedVersion);
    }
    const commands = (output.commands ?? []).map((c) => newCommand(c.type, c.data, { target: c.target, id: c.id, origin }));
    await this.store.append(tx, commands);
    for (const { command, dueAt } of output.schedule ?? []) {
      await this.timers.schedule(tx, newCommand(command.type, command.data, { target: command.target, id: command.id, origin }), dueAt);
    }
    for (const timerId of output.cancel ?? []) await this.timers.cancel(tx, timerId);
    return commands;
  }
}
