/**
 * Child process of test/faults/crash-safety.test.ts: writes batches until it is killed.
 *
 *   node --import tsx crash-writer.ts <sqlite|postgres> <file-or-url> <run> <batchSize>
 *
 * Each batch is one transaction that appends `batchSize` events to its own new stream
 * (`CrashBatch/<run>-<batch>`), one INSERT per event so that a kill can land between statements of an
 * open transaction. A line `committed <batch>` is written once the transaction has committed (stdout
 * on a pipe is synchronous, so a reported line is never lost with the process). The first line reports
 * the store's settings: `ready <json>`.
 */
import { sql } from 'kysely';
import { originFromRequest } from '../../../src/platform/messages/factory.ts';
import { postgresDialect } from '../../../src/platform/store/postgres.ts';
import { sqliteDialect } from '../../../src/platform/store/sqlite.ts';
import { Store } from '../../../src/platform/store/store.ts';

const [kind, url, run, batchSizeArg] = process.argv.slice(2);
const batchSize = Number(batchSizeArg);
if ((kind !== 'sqlite' && kind !== 'postgres') || !url || !run || !(batchSize > 0)) {
  process.stderr.write('usage: crash-writer <sqlite|postgres> <file-or-url> <run> <batchSize>\n');
  process.exit(2);
}

const store = await Store.open(kind === 'sqlite' ? sqliteDialect(url) : postgresDialect(url, { poolSize: 2 }), { listen: false });

let settings: Record<string, unknown> = {};
if (kind === 'sqlite') {
  // The connection the store writes through.
  const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
  const synchronous = await sql<{ synchronous: number }>`pragma synchronous`.execute(store.db);
  settings = { journalMode: journal.rows[0].journal_mode, synchronous: synchronous.rows[0].synchronous };
}
process.stdout.write(`ready ${JSON.stringify(settings)}\n`);

const origin = originFromRequest(run);
const filler = 'x'.repeat(200);
for (let batch = 0; batch < 1_000_000; batch++) {
  const stream = { sourceType: 'CrashBatch', sourceId: `${run}-${batch}` };
  await store.transaction(async (tx) => {
    for (let i = 0; i < batchSize; i++) {
      await store.appendToStream(tx, stream, i - 1, [{ type: 'CrashEvent', data: { run, batch, i, filler } }], origin);
    }
  });
  process.stdout.write(`committed ${batch}\n`);
}
await store.close();
