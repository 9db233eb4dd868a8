/**
 * Baselines: the same log rows written and read with the bare drivers (better-sqlite3, pg), with no
 * query builder, no version check and no RETURNING, into `bench_raw_messages`, a copy of the store's
 * `messages` table with the same columns, constraints and indexes, in the same database.
 */
import type BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { ROWS_PER_TRANSACTION } from '../../src/platform/store/postgres.ts';
import { LOG_COLUMNS } from '../../src/platform/store/log-insert.ts';
import type { MessageRow } from '../../src/platform/store/rows.ts';
import { openSqliteDatabase } from '../../src/platform/store/sqlite.ts';

export type RawRow = Omit<MessageRow, 'position'>;

export const RAW_TABLE = 'bench_raw_messages';

/** The store's log columns (position aside), in the order the store writes them. */
export const COLUMNS = LOG_COLUMNS satisfies readonly (keyof RawRow)[];

/**
 * Reads the whole table in keyset pages after position 0, parsing the JSON columns as the store
 * does; answers the number of rows.
 */
async function readPages<R extends { position: number | string; payload: string; metadata: string }>(
  page: (after: R['position'] | 0) => Promise<R[]>,
): Promise<number> {
  let after: R['position'] | 0 = 0;
  let count = 0;
  for (;;) {
    const rows = await page(after);
    if (rows.length === 0) return count;
    for (const row of rows) {
      JSON.parse(row.payload);
      JSON.parse(row.metadata);
    }
    count += rows.length;
    after = rows[rows.length - 1].position;
  }
}

/** A row's values in COLUMNS order. */
export function values(row: RawRow): unknown[] {
  return [
    row.message_id,
    row.kind,
    row.type,
    row.schema_version,
    row.source_type,
    row.source_id,
    row.version,
    row.correlation_id,
    row.causation_id,
    row.created_at,
    row.target,
    row.payload,
    row.metadata,
  ];
}

/** One way to write a transaction of rows. */
export interface RawWriteVariant {
  name: string;
  write(rows: readonly RawRow[]): Promise<void>;
}

export interface RawLog {
  /** One transaction with one INSERT of one row. */
  appendOne(row: RawRow): Promise<void>;
  /** Ways to write one transaction of many rows (the benchmark uses the fastest). */
  batchVariants(): RawWriteVariant[];
  /** Keyset read of the whole raw table; JSON-parses payload and metadata like the store. Answers rows read. */
  readAll(batchSize: number): Promise<number>;
  /** Makes the raw table a copy of the store's log rows. */
  copyStoreLog(): Promise<void>;
  count(): Promise<number>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- SQLite

export class RawSqlite implements RawLog {
  readonly db: BetterSqlite3.Database;
  readonly #begin: BetterSqlite3.Statement;
  readonly #commit: BetterSqlite3.Statement;
  readonly #insertOne: BetterSqlite3.Statement;
  readonly #insertMany = new Map<number, BetterSqlite3.Statement>();
  readonly #select: BetterSqlite3.Statement;

  /** Opens a second connection to the store's file (same pragmas) and copies the `messages` schema. */
  constructor(file: string) {
    this.db = openSqliteDatabase(file);
    const schema = this.db
      .prepare(`SELECT type, sql FROM sqlite_master WHERE tbl_name = 'messages' AND sql IS NOT NULL ORDER BY type DESC`)
      .all() as { type: string; sql: string }[];
    if (schema.length === 0) throw new Error('The store has no messages table yet: open the store first');
    this.db.exec(`DROP TABLE IF EXISTS ${RAW_TABLE}`);
    for (const { sql } of schema) {
      this.db.exec(sql.replaceAll('"messages"', `"${RAW_TABLE}"`).replaceAll('"messages_', `"${RAW_TABLE}_`));
    }
    this.#begin = this.db.prepare('BEGIN IMMEDIATE');
    this.#commit = this.db.prepare('COMMIT');
    this.#insertOne = this.db.prepare(
      `INSERT INTO ${RAW_TABLE} (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
    );
    this.#select = this.db.prepare(`SELECT * FROM ${RAW_TABLE} WHERE position > ? ORDER BY position LIMIT ?`);
  }

  #transaction(work: () => void): void {
    this.#begin.run();
    try {
      work();
      this.#commit.run();
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  async appendOne(row: RawRow): Promise<void> {
    this.#transaction(() => this.#insertOne.run(values(row)));
  }

  #multiRow(n: number): BetterSqlite3.Statement {
    let statement = this.#insertMany.get(n);
    if (!statement) {
      const tuple = `(${COLUMNS.map(() => '?').join(', ')})`;
      statement = this.db.prepare(`INSERT INTO ${RAW_TABLE} (${COLUMNS.join(', ')}) VALUES ${Array(n).fill(tuple).join(', ')}`);
      this.#insertMany.set(n, statement);
    }
    return statement;
  }

  batchVariants(): RawWriteVariant[] {
    return [
      {
        name: 'prepared per-row INSERT',
        write: async (rows) => this.#transaction(() => {
          for (const row of rows) this.#insertOne.run(values(row));
        }),
      },
      {
        name: 'prepared multi-row INSERT',
        write: async (rows) => this.#transaction(() => this.#multiRow(rows.length).run(rows.flatMap(values))),
      },
    ];
  }

  async readAll(batchSize: number): Promise<number> {
    return readPages(async (after) => this.#select.all(after, batchSize) as MessageRow[]);
  }


  async copyStoreLog(): Promise<void> {
    this.db.exec(`DELETE FROM ${RAW_TABLE}`);
    this.db.exec(`INSERT INTO ${RAW_TABLE} SELECT * FROM messages ORDER BY position`);
    // Both tables alike: every page in the database file, none only in the WAL.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async count(): Promise<number> {
    return (this.db.prepare(`SELECT count(*) AS n FROM ${RAW_TABLE}`).get() as { n: number }).n;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

// ---------------------------------------------------------------- PostgreSQL

/** The store's position (ADR 002): writer's transaction id · 65536 + row index. */
const POSITION = `pg_current_xact_id()::text::bigint * ${ROWS_PER_TRANSACTION}`;

const INSERT_ONE = {
  name: 'bench_raw_insert_one',
  text: `INSERT INTO ${RAW_TABLE} (position, ${COLUMNS.join(', ')}) VALUES (${POSITION}, ${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
};

function insertMany(n: number) {
  const tuples = Array.from(
    { length: n },
    (_, r) => `(${POSITION} + ${r}, ${COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`,
  );
  return { name: `bench_raw_insert_${n}`, text: `INSERT INTO ${RAW_TABLE} (position, ${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}` };
}

const PG_TYPES = ['text', 'text', 'text', 'int', 'text', 'text', 'int', 'text', 'text', 'text', 'text', 'text', 'text'];
const INSERT_UNNEST = {
  name: 'bench_raw_insert_unnest',
  text:
    `INSERT INTO ${RAW_TABLE} (position, ${COLUMNS.join(', ')}) ` +
    `SELECT ${POSITION} + (t.ord - 1), ${COLUMNS.map((c) => `t.${c}`).join(', ')} ` +
    `FROM unnest(${PG_TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ')}) WITH ORDINALITY ` +
    `AS t(${COLUMNS.join(', ')}, ord)`,
};

const SELECT_PAGE = {
  name: 'bench_raw_select_page',
  text: `SELECT * FROM ${RAW_TABLE} WHERE position > $1 ORDER BY position LIMIT $2`,
};

/** A writer on its own connection, for concurrent raw appends. */
export class RawPostgresWriter {
  constructor(readonly client: pg.Client) {}

  async #transaction(work: () => Promise<unknown>): Promise<void> {
    await this.client.query('BEGIN');
    try {
      await work();
      await this.client.query('COMMIT');
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  async appendOne(row: RawRow): Promise<void> {
    await this.#transaction(() => this.client.query({ ...INSERT_ONE, values: values(row) }));
  }

  batchVariants(): RawWriteVariant[] {
    return [
      {
        name: 'prepared multi-row INSERT',
        write: (rows) => this.#transaction(() => this.client.query({ ...insertMany(rows.length), values: rows.flatMap(values) })),
      },
      {
        name: 'prepared INSERT … SELECT unnest($arrays)',
        write: (rows) =>
          this.#transaction(() =>
            this.client.query({ ...INSERT_UNNEST, values: COLUMNS.map((column) => rows.map((row) => row[column])) }),
          ),
      },
      // Per-row INSERTs are not offered: node-pg does not pipeline, so 100 round trips always lose.
    ];
  }
}

export class RawPostgres implements RawLog {
  readonly #main: RawPostgresWriter;

  private constructor(
    readonly url: string,
    readonly writers: RawPostgresWriter[],
  ) {
    this.#main = writers[0];
  }

  /** `writers` connections (at least one); copies the `messages` table (columns, constraints, indexes; no triggers). */
  static async open(url: string, writers = 1): Promise<RawPostgres> {
    const clients: pg.Client[] = [];
    for (let i = 0; i < Math.max(1, writers); i++) {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => {});
      await client.connect();
      clients.push(client);
    }
    await clients[0].query(`DROP TABLE IF EXISTS ${RAW_TABLE}`);
    await clients[0].query(`CREATE TABLE ${RAW_TABLE} (LIKE messages INCLUDING ALL)`);
    return new RawPostgres(
      url,
      clients.map((client) => new RawPostgresWriter(client)),
    );
  }

  appendOne(row: RawRow): Promise<void> {
    return this.#main.appendOne(row);
  }

  batchVariants(): RawWriteVariant[] {
    return this.#main.batchVariants();
  }

  async readAll(batchSize: number): Promise<number> {
    return readPages(async (after) => {
      const { rows } = await this.#main.client.query<MessageRow & { position: string }>({ ...SELECT_PAGE, values: [after, batchSize] });
      return rows;
    });
  }


  async copyStoreLog(): Promise<void> {
    await this.#main.client.query(`TRUNCATE ${RAW_TABLE}`);
    await this.#main.client.query(`INSERT INTO ${RAW_TABLE} SELECT * FROM messages ORDER BY position`);
    // Both tables alike: visibility map and hint bits set, statistics fresh.
    await this.#main.client.query(`VACUUM ANALYZE messages`);
    await this.#main.client.query(`VACUUM ANALYZE ${RAW_TABLE}`);
  }

  async count(): Promise<number> {
    const { rows } = await this.#main.client.query<{ n: string }>(`SELECT count(*) AS n FROM ${RAW_TABLE}`);
    return Number(rows[0].n);
  }

  async close(): Promise<void> {
    await Promise.all(this.writers.map((w) => w.client.end().catch(() => {})));
  }
}
