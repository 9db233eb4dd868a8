import { sql } from 'kysely';
import type { LoggedMessage } from '../../messages/envelope.ts';
import type { NatsTransport } from './transport.ts';

/** Log entries read at most for all the handlers of a look together; beyond them each reads its own. */
const SHARED_LOG_READ = 200;

/** The log after the lowest checkpoint of this process's handlers, up to the relay's checkpoint. */
export interface RecentLog {
  /** Entries of every type in order, the first {@link SHARED_LOG_READ} of them at most. */
  entries: readonly LoggedMessage[];
  /** Whether they are all the entries up to the relay's checkpoint. */
  complete: boolean;
}

/** What the low-watermarks of this process's handlers are computed from. */
export interface WatermarkInputs {
  /** The relay's checkpoint: every entry up to it is on the stream. */
  published: number;
  /** Each partition lease's checkpoint, by lease name (`<stream>/<handler>/<partition>`). */
  partitions: ReadonlyMap<string, number>;
  /** Each handler's checkpoint (its low-watermark so far), by handler name. */
  checkpoints: ReadonlyMap<string, number>;
  /**
   * The log after the lowest checkpoint of this process's handlers: read once, when a handler first
   * asks, for every handler that looks with these inputs (each filters its own types).
   */
  recentLog(): Promise<RecentLog>;
}

/**
 * Reads the inputs of every handler's low-watermark at once — one statement however many handlers
 * ask, and one read of the log after it — and shares a read among the handlers that ask together.
 * A caller always gets a read that began after it asked (progress it was woken for is in it): while a read runs, callers wait for
 * the next one, which they share.
 */
export class WatermarkReads {
  #running: Promise<WatermarkInputs> | undefined;
  #next: Promise<WatermarkInputs> | undefined;

  constructor(private readonly transport: NatsTransport) {}

  read(): Promise<WatermarkInputs> {
    if (!this.#running) {
      this.#running = this.#read().finally(() => {
        this.#running = undefined;
      });
      return this.#running;
    }
    this.#next ??= this.#running
      .catch(() => undefined)
      .then(() => {
        this.#next = undefined;
        return this.read();
      });
    return this.#next;
  }

  async #read(): Promise<WatermarkInputs> {
    const { store, stream, relayLease } = this.transport;
    const prefix = `${stream.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`;
    // One statement (one round trip, one snapshot): the relay's checkpoint, the partitions', the handlers'.
    const { rows } = await sql<{ published: string | null; partitions: Array<[string, string]> | null; checkpoints: Array<[string, string]> | null }>`
      SELECT (SELECT position FROM transport_leases WHERE name = ${relayLease}) AS published,
             (SELECT json_agg(json_build_array(name, position)) FROM transport_leases WHERE name LIKE ${prefix}) AS partitions,
             (SELECT json_agg(json_build_array(name, position)) FROM checkpoints) AS checkpoints`.execute(store.db);
    const [row] = rows;
    const published = Number(row.published ?? 0);
    const checkpoints = new Map((row.checkpoints ?? []).map(([name, position]): [string, number] => [name, Number(position)]));
    const from = Math.min(...[...this.transport.handlerNames].map((name) => checkpoints.get(name) ?? 0));
    let recent: Promise<RecentLog> | undefined;
    return {
      published,
      partitions: new Map((row.partitions ?? []).map(([name, position]) => [name, Number(position)])),
      checkpoints,
      recentLog: () => (recent ??= this.#readRecent(from, published)),
    };
  }

  async #readRecent(after: number, published: number): Promise<RecentLog> {
    if (after >= published) return { entries: [], complete: true };
    const entries = await this.transport.store.readLog({ after, limit: SHARED_LOG_READ, untilPosition: published });
    return { entries, complete: entries.length < SHARED_LOG_READ };
  }
}
