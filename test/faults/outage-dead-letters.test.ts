import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { originFromRequest } from '../../src/platform/messages/factory.ts';
import type { MessageHandler } from '../../src/platform/processing/handler.ts';
import { Processing } from '../../src/platform/processing/processing.ts';
import type { Store } from '../../src/platform/store/store.ts';
import { eventually } from '../support/eventually.ts';
import { createEffectsTable, effectsOf } from '../support/recording-handler.ts';
import { type StoreLocation, freshLocation } from '../support/stores.ts';
import { toyRegistry } from '../support/toy-domain.ts';

/**
 * A store outage is not a poison message: a handler whose deliveries fail because the store is full
 * (or read-only, or away) for longer than its five attempts take is not dead-lettered — the store
 * may be back just in time to take the dead letter, which would park the source for good. It is
 * delivered again once the store is back. A handler that fails for its own reasons still is.
 */
describe('handler failures caused by the store', () => {
  let location: StoreLocation;
  let store: Store;
  let processing: Processing | undefined;

  beforeEach(async () => {
    location = await freshLocation('sqlite');
    store = await location.open();
    await createEffectsTable(store);
  });
  afterEach(async () => {
    await processing?.stop();
    await store.close();
    await location.drop();
  });

  it('are retried until the store is back, never dead-lettered; other failures still are after five attempts', async () => {
    // The first seven deliveries meet a full disk: more than the five attempts before a dead letter.
    let fullFor = 7;
    const calls = { outage: 0, broken: 0 };
    const outage: MessageHandler = {
      name: 'outage',
      types: ['Ping'],
      sideEffects: false,
      async handle(message, context) {
        calls.outage++;
        if (fullFor > 0) {
          fullFor--;
          throw new BetterSqlite3.SqliteError('database or disk is full', 'SQLITE_FULL');
        }
        await sql`INSERT INTO test_effects (handler, message_id, type, position, data) VALUES ('outage', ${message.metadata.messageId}, ${message.type}, ${message.metadata.position}, '{}')`.execute(
          context.tx.db,
        );
      },
    };
    const broken: MessageHandler = {
      name: 'broken',
      types: ['Ping'],
      sideEffects: false,
      async handle() {
        calls.broken++;
        throw new Error('this handler refuses every message');
      },
    };
    processing = new Processing(store, toyRegistry(), [outage, broken], { retry: { baseDelayMs: 5 }, idleCheckMs: 200 });
    processing.start();
    const stream = { sourceType: 'Pinger', sourceId: 'a' };
    const [event] = await store.transaction((tx) => store.appendToStream(tx, stream, -1, [{ type: 'Ping', data: { n: 0 } }], originFromRequest('a')));

    await eventually(async () => (await effectsOf(store, 'outage')).length === 1, 20_000);
    expect(calls.outage).toBe(8);
    expect(await processing.deadLetters.list({ handler: 'outage' })).toEqual([]);
    await processing.waitFor('broken', event.metadata.position!, 10_000);
    expect(calls.broken).toBe(5);
    expect(await processing.deadLetters.list({ handler: 'broken' })).toMatchObject([{ messageId: event.metadata.messageId, attempts: 5 }]);
  });
});
