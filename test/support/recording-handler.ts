import { sql } from 'kysely';
import type { LoggedMessage } from '../../src/platform/messages/envelope.ts';
import type { HandlerContext, MessageHandler } from '../../src/platform/processing/handler.ts';
import type { Store } from '../../src/platform/store/store.ts';

export async function createEffectsTable(store: Store): Promise<void> {
  const id = store.dialect.name === 'sqlite' ? sql`id INTEGER PRIMARY KEY AUTOINCREMENT` : sql`id bigserial PRIMARY KEY`;
  await sql`CREATE TABLE IF NOT EXISTS test_effects (${id}, handler text NOT NULL, message_id text NOT NULL, type text NOT NULL, position bigint NOT NULL, data text NOT NULL)`.execute(
    store.db,
  );
}

export interface Effect {
  message_id: string;
  type: string;
  position: number;
  data: string;
}

/** The effects a handler committed, in the order it committed them. */
export async function effectsOf(store: Store, handler: string): Promise<Effect[]> {
  const result = await sql<Effect>`SELECT message_id, type, position, data FROM test_effects WHERE handler = ${handler} ORDER BY id`.execute(
    store.db,
  );
  return result.rows.map((row) => ({ ...row, position: Number(row.position) }));
}

export interface RecordingHandler extends MessageHandler {
  calls: Map<string, number>;
  fail: (message: LoggedMessage, call: number) => boolean;
}

/**
 * A handler whose effect is a row in `test_effects`, written in the delivery transaction; `fail`
 * makes chosen deliveries throw after the effect was written (so the effect must roll back).
 */
export function recordingHandler(
  name: string,
  types: string[],
  options: { sideEffects?: boolean; batchSize?: number; fail?: (message: LoggedMessage, call: number) => boolean } = {},
): RecordingHandler {
  const calls = new Map<string, number>();
  const handler: RecordingHandler = {
    name,
    types,
    sideEffects: options.sideEffects ?? false,
    batchSize: options.batchSize,
    calls,
    fail: options.fail ?? (() => false),
    async handle(message: LoggedMessage, context: HandlerContext) {
      const call = (calls.get(message.metadata.messageId) ?? 0) + 1;
      calls.set(message.metadata.messageId, call);
      await sql`INSERT INTO test_effects (handler, message_id, type, position, data) VALUES (${name}, ${message.metadata.messageId}, ${message.type}, ${message.metadata.position}, ${JSON.stringify(message.data)})`.execute(
        context.tx.db,
      );
      if (handler.fail(message, call)) throw new Error(`${name} refuses ${message.metadata.messageId}`);
    },
  };
  return handler;
}
