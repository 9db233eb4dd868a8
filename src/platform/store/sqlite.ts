import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  Kysely,
  SqliteAdapter,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
} from 'kysely';
import type { StoreDialect } from './dialect.ts';
import { type InsertedRow, LOG_COLUMNS, type LogInserter, STREAM_HEAD_SQL } from './log-insert.ts';
import type { Database } from './schema.ts';

/** The durability of the transaction being opened in this async context (ADR 005); unset = durable. */
const openingDurable = new AsyncLocalStorage<boolean>();

/**
 * Write transactions take the write lock at BEGIN, so they never fail on a lock upgrade. SQLite
 * cannot change `synchronous` inside a transaction, so it is set (when it differs) just before.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  #synchronous = 'FULL';

  constructor(
    config: ConstructorParameters<typeof SqliteDriver>[0],
    private readonly database: BetterSqlite3.Database,
  ) {
    super(config);
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    // Guarantee 9: FULL syncs the WAL at every commit; NORMAL leaves it to the next FULL commit or checkpoint.
    const synchronous = (openingDurable.getStore() ?? true) ? 'FULL' : 'NORMAL';
    if (synchronous !== this.#synchronous) {
      await connection.executeQuery(CompiledQuery.raw(`pragma synchronous = ${synchronous}`));
      this.#synchronous = synchronous;
    }
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  /**
   * SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR, …); a
   * ROLLBACK then fails with "no transaction is active" and would hide the error that ended it.
   */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.database.inTransaction) await super.rollbackTransaction(connection);
  }
}

/** Kysely prepares every query anew; caching the prepared statements saves most of that cost. */
function withStatementCache(database: BetterSqlite3.Database) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(source: string) {
      let statement = cache.get(source);
      if (!statement) {
        statement = database.prepare(source);
        if (cache.size > 500) cache.clear();
        cache.set(source, statement);
      }
      return statement;
    },
    close() {
      database.close();
    },
  };
}

const COLUMNS = LOG_COLUMNS.join(', ');
const ROW = `(${LOG_COLUMNS.map(() => '?').join(', ')})`;
const sqlCache = new Map<number, string>();

/** The statement text for `count` rows, built once per count (the prepared-statement cache keys on it). */
function insertSql(count: number): string {
  let text = sqlCache.get(count);
  if (text === undefined) {
    const values = Array.from({ length: count }, () => ROW).join(', ');
    text = `INSERT INTO messages (${COLUMNS}) VALUES ${values} ON CONFLICT (message_id) DO NOTHING RETURNING message_id, position`;
    sqlCache.set(count, text);
  }
  return text;
}
const HEAD = STREAM_HEAD_SQL('?', '?');

/**
 * One writer at a time (BEGIN IMMEDIATE): the stream cannot move between the check and the insert,
 * and AUTOINCREMENT positions commit in order.
 */
const insertLog: LogInserter = async (tx, { rows, expect }) => {
  if (expect) {
    const head = await tx.executeQuery<{ version: number }>(CompiledQuery.raw(HEAD, [expect.sourceType, expect.sourceId]));
    if ((head.rows[0]?.version ?? -1) !== expect.version) return [];
  }
  return (await tx.executeQuery<InsertedRow>(CompiledQuery.raw(insertSql(rows.length), rows.flat()))).rows;
};

export function openSqliteDatabase(file: string): BetterSqlite3.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  // Guarantee 9: an acknowledged command survives power loss.
  database.pragma('synchronous = FULL');
  database.pragma('busy_timeout = 10000');
  return database;
}

export function sqliteDialect(file: string): StoreDialect {
  const database = openSqliteDatabase(file);
  const cached = withStatementCache(database);
  const dialect: Dialect = {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new ImmediateSqliteDriver({ database: cached as unknown as BetterSqlite3.Database }, database),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
  const db = new Kysely<Database>({ dialect });
  return {
    name: 'sqlite',
    db,
    insertLog,
    readHorizon: () => undefined,
    skipLocked: false,
    positionsFollowCommits: true,
    withDurability: (durable, open) => openingDurable.run(durable, open),
    relax: async () => {},
    isUniqueViolation: (error) =>
      error instanceof BetterSqlite3.SqliteError &&
      (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'),
    // Writers in this process signal directly; other processes are noticed by the subscribers' idle check.
    listen: async () => async () => {},
    notify: async () => {},
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
