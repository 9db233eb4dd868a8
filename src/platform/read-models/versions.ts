import { sql } from 'kysely';
import { newOperatorAction } from '../messages/factory.ts';
import type { MessageRegistry } from '../messages/registry.ts';
import type { MessageHandler } from '../processing/handler.ts';
import type { Logger } from '../processing/logger.ts';
import { fromRow } from '../store/rows.ts';
import type { Store, Tx } from '../store/store.ts';
import type { TableMap } from '../store/table-names.ts';
import { partitionPositions } from '../transport/schema.ts';
import { VersionReplayer, REPLAY_BATCH } from './replay.ts';
import { type ReadModelVersionsTable, type VersionStatus, versionsDb } from './schema.ts';
import { createVersionTables, dropVersionTables } from './tables.ts';
import { type ReadModelUnit, versionTables } from './unit.ts';

export class ReadModelConflict extends Error {}
export class ReadModelNotFound extends Error {}

export interface VersionRow {
  unit: string;
  version: number;
  status: VersionStatus;
  scratch: boolean;
  position: number;
  updatedAt: string;
}

export interface ReadModelStatus {
  /** The read-model name (API.md). */
  name: string;
  unit: string;
  version: number;
  status: VersionStatus;
  scratch: boolean;
  position: number;
  lagMessages: number;
  lagSeconds: number;
}

/** A rebuild that has not moved for this long is taken to be dead (its process stopped). */
const STALE_BUILD_MS = 30_000;

const toRow = (row: ReadModelVersionsTable): VersionRow => ({
  unit: row.unit,
  version: row.version,
  status: row.status,
  scratch: row.scratch === 1,
  position: Number(row.position),
  updatedAt: row.updated_at,
});

/**
 * The versions of the read models of a store (ADR 007): which one is live, building new ones beside
 * it, switching readers atomically and retiring old ones.
 */
export class ReadModelVersions {
  constructor(
    readonly store: Store,
    readonly registry: MessageRegistry,
    readonly units: readonly ReadModelUnit[],
    private readonly logger?: Logger,
  ) {}

  /** Every version of every unit; a unit without rows is at version 1, live. */
  async list(): Promise<VersionRow[]> {
    const rows = (await versionsDb(this.store.db).selectFrom('read_model_versions').selectAll().orderBy('unit').orderBy('version').execute()).map(toRow);
    const listed = new Set(rows.map((row) => row.unit));
    const implicit = this.units
      .filter((unit) => !listed.has(unit.name))
      .map((unit): VersionRow => ({ unit: unit.name, version: 1, status: 'live', scratch: false, position: 0, updatedAt: '' }));
    return [...rows, ...implicit];
  }

  /**
   * Every version of every read-model name (API.md Operator): the live one at its projections' slowest
   * checkpoint, the others at their own position; lag = entries of its types after that position.
   */
  async status(): Promise<ReadModelStatus[]> {
    const [rows, checkpoints] = await Promise.all([this.list(), this.store.db.selectFrom('checkpoints').select(['name', 'position']).execute()]);
    // The head after the checkpoints, so that what is still in flight shows as lag (as in `Processing.status`).
    const head = await this.store.headPosition();
    const answer: ReadModelStatus[] = [];
    for (const unit of this.units) {
      const types = [...new Set(unit.handlers.flatMap((handler) => handler.types.flatMap((type) => this.registry.storedNamesOf(type))))];
      for (const row of rows.filter((r) => r.unit === unit.name)) {
        const position =
          row.status === 'live'
            ? Math.min(...unit.handlers.map((handler) => Number(checkpoints.find((c) => c.name === handler.name)?.position ?? 0)))
            : row.position;
        const behind = await this.store.readLog({ after: position, limit: 1, types, untilPosition: head });
        const oldest = behind[0]?.metadata.createdAt;
        const lag = {
          position,
          lagMessages: behind.length === 0 ? 0 : await this.store.countLog(position, head, types),
          lagSeconds: oldest ? Math.max(0, (Date.now() - Date.parse(oldest)) / 1000) : 0,
        };
        for (const name of unit.names) answer.push({ name, unit: unit.name, version: row.version, status: row.status, scratch: row.scratch, ...lag });
      }
    }
    return answer;
  }

  /** Reads which versions are live and makes every query of this process use their tables. */
  async load(): Promise<void> {
    const live = (await this.list()).filter((row) => row.status === 'live');
    this.#useLive(live);
  }

  /** Reloads the live versions every `intervalMs` (switches made by other processes); answers a stop function. */
  watch(intervalMs = 1000): () => void {
    const timer = setInterval(() => {
      this.load().catch((error) => this.logger?.warn({ err: error }, 'cannot reload the read-model versions'));
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  #useLive(live: readonly Pick<VersionRow, 'unit' | 'version'>[]): void {
    useLiveVersions(this.store, this.units, live);
  }

  /**
   * The unit's projections as the worker runs them: each transaction first reads which version is
   * live (on PostgreSQL under a shared lock that a switch takes exclusively), so a projection never
   * writes a version that stopped being live.
   */
  liveHandlers(unit: ReadModelUnit): MessageHandler[] {
    const perTx = new WeakMap<Tx, TableMap>();
    return unit.handlers.map((handler) => ({
      name: handler.name,
      types: handler.types,
      sideEffects: handler.sideEffects,
      batchSize: handler.batchSize,
      handle: async (message, context) => {
        let tables = perTx.get(context.tx);
        if (!tables) {
          tables = await this.#liveTablesIn(context.tx, unit);
          perTx.set(context.tx, tables);
        }
        // No override while this process already reads the live version: no async context to carry.
        if (tables.size === 0) return handler.handle(message, context);
        return this.store.tableNames.runWith(tables, () => handler.handle(message, context));
      },
    }));
  }

  async #liveTablesIn(tx: Tx, unit: ReadModelUnit): Promise<TableMap> {
    const version = (await this.#liveVersionLocked(tx, unit)) ?? 1;
    const live = versionTables(unit, version);
    // Nothing to rename when this process already reads the same tables.
    if ([...live].every(([table, physical]) => (this.store.tableNames.live.get(table) ?? table) === physical)) return new Map();
    return live;
  }

  /** The unit's live version, read under its lock held shared (PostgreSQL: one call, migration 0013). */
  async #liveVersionLocked(tx: Tx, unit: ReadModelUnit): Promise<number | undefined> {
    if (this.store.dialect.name === 'postgres') {
      const { rows } = await sql<{ version: number | null }>`SELECT read_model_live_version(${unit.name}) AS version`.execute(tx.db);
      return rows[0]?.version ?? undefined;
    }
    const row = await versionsDb(tx.db).selectFrom('read_model_versions').select('version').where('unit', '=', unit.name).where('status', '=', 'live').executeTakeFirst();
    return row?.version;
  }

  /**
   * PostgreSQL: a switch holds the unit's lock exclusively; projections hold it shared (in
   * `read_model_live_version`, same key). SQLite has one writer already.
   */
  async #lockExclusive(tx: Tx, unit: ReadModelUnit): Promise<void> {
    if (this.store.dialect.name !== 'postgres') return;
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`read-model:${unit.name}`}, 0))`.execute(tx.db);
  }

  async versions(unit: ReadModelUnit): Promise<VersionRow[]> {
    return (await this.list()).filter((row) => row.unit === unit.name);
  }

  /**
   * Starts a new version beside the live one: its empty tables, shaped like the live version's, and
   * its row (`rebuilding`). Refused while another build of the unit is running.
   */
  async createVersion(unit: ReadModelUnit, options: { scratch?: boolean } = {}): Promise<number> {
    const now = new Date().toISOString();
    const { version, like, abandoned } = await this.store.transaction(async (tx) => {
      const db = versionsDb(tx.db);
      const rows = (await db.selectFrom('read_model_versions').selectAll().where('unit', '=', unit.name).execute()).map(toRow);
      const building = rows.find((row) => row.status === 'rebuilding' && !row.scratch);
      if (building && !options.scratch && Date.now() - Date.parse(building.updatedAt) < STALE_BUILD_MS) {
        throw new ReadModelConflict(`A rebuild of ${unit.name} is running (version ${building.version})`);
      }
      // Builds whose process stopped are abandoned: their rows go now, their tables below.
      const abandoned = rows.filter((row) => row.status === 'rebuilding' && Date.now() - Date.parse(row.updatedAt) >= STALE_BUILD_MS);
      for (const row of abandoned) {
        await db.deleteFrom('read_model_versions').where('unit', '=', unit.name).where('version', '=', row.version).execute();
      }
      if (rows.length === 0) {
        await db.insertInto('read_model_versions').values({ unit: unit.name, version: 1, status: 'live', scratch: 0, position: 0, created_at: now, updated_at: now }).execute();
      }
      const live = rows.find((row) => row.status === 'live')?.version ?? 1;
      const next = Math.max(1, ...rows.map((row) => row.version)) + 1;
      await db
        .insertInto('read_model_versions')
        .values({ unit: unit.name, version: next, status: 'rebuilding', scratch: options.scratch ? 1 : 0, position: 0, created_at: now, updated_at: now })
        .execute();
      await this.#logAction(tx, options.scratch ? 'replay-read-model' : 'rebuild-read-model', unit, next);
      return { version: next, like: live, abandoned: abandoned.map((row) => row.version) };
    });
    for (const old of abandoned) await dropVersionTables(this.store, unit, old);
    await createVersionTables(this.store, unit, version, like);
    return version;
  }

  /** Records a version's progress (also the heartbeat of its build), in the transaction that wrote it. */
  async recordPosition(tx: Tx, unit: ReadModelUnit, version: number, position: number): Promise<void> {
    await versionsDb(tx.db)
      .updateTable('read_model_versions')
      .set({ position, updated_at: new Date().toISOString() })
      .where('unit', '=', unit.name)
      .where('version', '=', version)
      .execute();
  }

  async setStatus(unit: ReadModelUnit, version: number, status: VersionStatus): Promise<void> {
    await versionsDb(this.store.db)
      .updateTable('read_model_versions')
      .set({ status, updated_at: new Date().toISOString() })
      .where('unit', '=', unit.name)
      .where('version', '=', version)
      .execute();
  }

  /**
   * Makes a kept version live (DOMAIN 7.2): it first catches up with the log outside any lock; then,
   * in one transaction that holds the unit's projections back (SQLite: the write lock; PostgreSQL:
   * the unit's lock), it reaches the live version's checkpoints and the statuses flip. Readers of this
   * process switch at the commit; the live projections go on from their checkpoints into it.
   */
  async switchTo(unit: ReadModelUnit, version: number, onProgress?: (position: number, target: number) => void): Promise<void> {
    const target = (await this.versions(unit)).find((row) => row.version === version);
    if (!target) throw new ReadModelNotFound(`${unit.name} has no version ${version}`);
    if (target.scratch) throw new ReadModelConflict(`Version ${version} of ${unit.name} is a scratch version`);
    if (target.status === 'live') return;
    const replayer = new VersionReplayer(this.store, this.registry, unit, version, this.logger);
    await this.catchUp(replayer, target.position, onProgress);
    await this.switchNow(unit, version);
  }

  /**
   * The atomic part of {@link switchTo}: in one transaction that holds the unit's projections back,
   * the version reaches their highest checkpoint (from the log, read inside the transaction) and
   * becomes live.
   */
  async switchNow(unit: ReadModelUnit, version: number): Promise<void> {
    const replayer = new VersionReplayer(this.store, this.registry, unit, version, this.logger);
    await this.store.transaction(async (tx) => {
      await this.#lockExclusive(tx, unit);
      const target = await versionsDb(tx.db).selectFrom('read_model_versions').select(['position', 'status', 'scratch']).where('unit', '=', unit.name).where('version', '=', version).executeTakeFirst();
      if (!target) throw new ReadModelNotFound(`${unit.name} has no version ${version}`);
      if (target.scratch === 1) throw new ReadModelConflict(`Version ${version} of ${unit.name} is a scratch version`);
      if (target.status === 'live') return;
      let position = Number(target.position);
      const checkpoints = await tx.db
        .selectFrom('checkpoints')
        .select('position')
        .where('name', 'in', unit.handlers.map((handler) => handler.name))
        .execute();
      const reached = checkpoints.map((row) => Number(row.position));
      // On the distributed transport a checkpoint is a low-watermark: partitions may be further on.
      const handled = await partitionPositions(tx.db, unit.handlers.map((handler) => handler.name));
      const upTo = Math.max(0, ...reached, ...handled);
      for (let after = position; after < upTo; ) {
        // Read in the transaction: on SQLite it holds the only connection.
        const rows = await tx.db
          .selectFrom('messages')
          .selectAll()
          .where('position', '>', after)
          .where('position', '<=', upTo)
          .where('type', 'in', replayer.storedTypes)
          .orderBy('position')
          .limit(REPLAY_BATCH)
          .execute();
        if (rows.length === 0) break;
        const batch = rows.map(fromRow);
        await replayer.apply(tx, batch);
        after = batch[batch.length - 1].metadata.position;
      }
      position = Math.max(position, upTo);
      const db = versionsDb(tx.db);
      const rows = (await db.selectFrom('read_model_versions').selectAll().where('unit', '=', unit.name).execute()).map(toRow);
      const now = new Date().toISOString();
      // The old live version has everything up to the slowest projection's checkpoint.
      const oldPosition = reached.length === unit.handlers.length ? Math.min(...reached) : 0;
      if (rows.length === 0 || !rows.some((row) => row.status === 'live')) {
        await db.insertInto('read_model_versions').values({ unit: unit.name, version: 1, status: 'live', scratch: 0, position: 0, created_at: now, updated_at: now }).onConflict((oc) => oc.columns(['unit', 'version']).doNothing()).execute();
      }
      await db.updateTable('read_model_versions').set({ status: 'standby', position: oldPosition, updated_at: now }).where('unit', '=', unit.name).where('status', '=', 'live').execute();
      await db.updateTable('read_model_versions').set({ status: 'live', position, updated_at: now }).where('unit', '=', unit.name).where('version', '=', version).execute();
      await this.#logAction(tx, 'switch-read-model', unit, version);
      const live = await db.selectFrom('read_model_versions').select(['unit', 'version']).where('status', '=', 'live').execute();
      tx.topics.add('read_models');
      // This process's readers switch at the commit itself, before anything else runs.
      tx.afterCommit(() => this.#useLive(live));
    });
  }

  /**
   * Replays into a version — or several, from one read of the log — from `after` to the head, and
   * again while more than `closeEnough` entries of its types arrived meanwhile (DOMAIN 7.2: the lag
   * threshold) and each round leaves fewer behind than the one before; answers the versions' position.
   * The gap is counted in entries, not positions (PostgreSQL's positions are sparse), and a round that
   * does not shrink it ends the chase: traffic faster than the replay would otherwise keep it going for
   * ever. What is left is replayed by {@link switchNow}, holding the projections back.
   */
  async catchUp(
    replayers: VersionReplayer | readonly VersionReplayer[],
    after: number,
    onProgress?: (position: number, target: number) => void,
    closeEnough = 100,
  ): Promise<number> {
    const all = Array.isArray(replayers) ? replayers : [replayers as VersionReplayer];
    const types = [...new Set(all.flatMap((replayer) => replayer.storedTypes))];
    const record = (tx: Tx, position: number) => Promise.all(all.map((replayer) => this.recordPosition(tx, replayer.unit, replayer.version, position)));
    let position = after;
    let behind = Number.POSITIVE_INFINITY;
    for (;;) {
      const head = await this.store.headPosition();
      for await (const batch of readAhead(this.store.readLogBatches({ after: position, types, untilPosition: head, batchSize: REPLAY_BATCH }))) {
        const last = batch[batch.length - 1].metadata.position;
        await this.store.transaction(async (tx) => {
          for (const replayer of all) {
            const mine = all.length === 1 ? batch : batch.filter((message) => replayer.reads(message));
            if (mine.length > 0) await replayer.apply(tx, mine);
          }
          await record(tx, last);
        }, { durable: false });
        position = last;
        onProgress?.(position, head);
      }
      if (position < head) {
        position = head;
        await this.store.transaction((tx) => record(tx, head), { durable: false });
        onProgress?.(position, head);
      }
      const left = await this.store.countLog(position, await this.store.headPosition(), types);
      if (left <= closeEnough || left >= behind) return position;
      behind = left;
    }
  }

  /** Drops a kept version and its tables; the live one cannot be retired. */
  async retire(unit: ReadModelUnit, version: number): Promise<void> {
    const row = (await this.versions(unit)).find((r) => r.version === version);
    if (!row) throw new ReadModelNotFound(`${unit.name} has no version ${version}`);
    if (row.status === 'live') throw new ReadModelConflict(`Version ${version} of ${unit.name} is live`);
    await this.store.transaction(async (tx) => {
      await versionsDb(tx.db).deleteFrom('read_model_versions').where('unit', '=', unit.name).where('version', '=', version).execute();
      await this.#logAction(tx, 'retire-read-model', unit, version);
    });
    await dropVersionTables(this.store, unit, version);
  }

  /** Rebuilds, switches and retirements are operator actions in the log (DOMAIN 3.0), target `<unit>:v<version>`. */
  async #logAction(tx: Tx, action: string, unit: ReadModelUnit, version: number): Promise<void> {
    await this.store.append(tx, [newOperatorAction({ action, target: `${unit.name}:v${version}`, reason: null })]);
  }
}

/** Makes every query of this process use the tables of these live versions. */
function useLiveVersions(store: Store, units: readonly ReadModelUnit[], live: readonly Pick<VersionRow, 'unit' | 'version'>[]): void {
  const map = new Map<string, string>();
  for (const row of live) {
    const unit = units.find((u) => u.name === row.unit);
    if (!unit || row.version === 1) continue;
    for (const [table, physical] of versionTables(unit, row.version)) map.set(table, physical);
  }
  store.tableNames.setLive(map);
}

/** Reads which versions are live (at store opening, before anything reads a read model). */
export async function loadLiveVersions(store: Store, units: readonly ReadModelUnit[]): Promise<void> {
  const live = await versionsDb(store.db).selectFrom('read_model_versions').select(['unit', 'version']).where('status', '=', 'live').execute();
  useLiveVersions(store, units, live);
}

/**
 * The batches of `source`, each next one already being read while the caller works on the current
 * one (on PostgreSQL the read and the replay's transaction use two connections).
 */
async function* readAhead<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = source.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = source.next();
      yield current.value;
    }
  } finally {
    // Stopped early: the read in flight is waited for (its failure no longer matters), then closed.
    await next.catch(() => undefined);
    await source.return(undefined);
  }
}
