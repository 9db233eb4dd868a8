/**
 * The platform in one file: a decider, a command executed over "HTTP", a projection fed by a
 * subscription, and a read-your-writes wait. Run it with `npx tsx docs/examples/counter.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import Type from 'typebox';
import { newCommand, originFromRequest } from '../../src/platform/messages/factory.ts';
import { MessageRegistry } from '../../src/platform/messages/registry.ts';
import { type Aggregate, DomainError, decideAndAppend, executeCommand } from '../../src/platform/processing/commands.ts';
import type { MessageHandler } from '../../src/platform/processing/handler.ts';
import { Processing } from '../../src/platform/processing/processing.ts';
import { sqliteDialect } from '../../src/platform/store/sqlite.ts';
import { Store } from '../../src/platform/store/store.ts';

// 1. Message types: a TypeBox schema per type.
const registry = new MessageRegistry();
registry.define({ type: 'Increment', kind: 'command', schema: Type.Object({ by: Type.Integer({ minimum: 1 }) }) });
registry.define({ type: 'Incremented', kind: 'event', schema: Type.Object({ by: Type.Integer(), total: Type.Integer() }) });

// 2. A pure decider: no I/O, refuses with a DomainError.
type Increment = { type: 'Increment'; data: { by: number } };
type Incremented = { type: 'Incremented'; data: { by: number; total: number } };
const counter: Aggregate<{ total: number }, Increment, Incremented> = {
  sourceType: 'Counter',
  decider: {
    initialState: { total: 0 },
    evolve: (state, event) => ({ total: event.data.total }),
    decide: (command, state) => {
      const total = state.total + command.data.by;
      if (total > 10) throw new DomainError('A counter stops at 10.');
      return [{ type: 'Incremented', data: { by: command.data.by, total } }];
    },
  },
};

// 3. A projection: its table and its checkpoint commit in one transaction.
const totals: MessageHandler = {
  name: 'counter-totals',
  types: ['Incremented'],
  sideEffects: false,
  async handle(event, { tx }) {
    const { total } = event.data as Incremented['data'];
    await sql`INSERT INTO counter_totals (id, total) VALUES (${event.metadata.sourceId}, ${total})
      ON CONFLICT (id) DO UPDATE SET total = excluded.total`.execute(tx.db);
  },
};

const dir = mkdtempSync(join(tmpdir(), 'contoso-example-'));
const store = await Store.open(sqliteDialect(join(dir, 'store.sqlite')));
await sql`CREATE TABLE counter_totals (id text PRIMARY KEY, total integer NOT NULL)`.execute(store.db);
const processing = new Processing(store, registry, [totals]);
processing.start();

// 4. The HTTP path: the command is logged with its events only if the decider accepts it.
const increment = (by: number) => {
  const command = newCommand('Increment', { by }, { target: 'c1', origin: originFromRequest('c1') });
  return executeCommand(store, command, (tx) => decideAndAppend(store, registry, tx, counter, 'c1', command));
};
const { position } = await increment(4);
await increment(5);
try {
  await increment(3);
} catch (error) {
  console.log(`refused: ${(error as Error).message}`);
}

// 5. Read your writes: wait until the projection has passed the last position written.
const last = await store.headPosition();
await processing.waitFor('counter-totals', Math.max(position, last), 5_000);
const { rows } = await sql<{ total: number }>`SELECT total FROM counter_totals WHERE id = 'c1'`.execute(store.db);
console.log(`total: ${rows[0].total}`);
const log = await store.queryLog({ limit: 10 });
console.log(`log: ${log.messages.map((m) => `${m.metadata.kind} ${m.type}`).join(', ')}`);

await processing.stop();
await store.close();
rmSync(dir, { recursive: true, force: true });
