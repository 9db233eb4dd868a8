import { transportDb } from '../schema.ts';
import type { NatsTransport } from './transport.ts';

/** What the low-watermarks of this process's handlers are computed from. */
export interface WatermarkInputs {
  /** The relay's checkpoint: every entry up to it is on the stream. */
  published: number;
  /** Each partition lease's checkpoint, by lease name (`<stream>/<handler>/<partition>`). */
  partitions: ReadonlyMap<string, number>;
  /** Each handler's checkpoint (its low-watermark so far), by handler name. */
  checkpoints: ReadonlyMap<string, number>;
}

/**
 * Reads the inputs of every handler's low-watermark at once — three queries however many handlers
 * ask — and shares a read among the handlers that ask together. A caller always gets a read that
 * began after it asked (progress it was woken for is in it): while a read runs, callers wait for
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
    const { store, leases, stream, relayLease } = this.transport;
    const prefix = `${stream.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`;
    const [relay, partitions, checkpoints] = await Promise.all([
      leases.row(relayLease),
      transportDb(store.db).selectFrom('transport_leases').select(['name', 'position']).where('name', 'like', prefix).execute(),
      store.db.selectFrom('checkpoints').select(['name', 'position']).execute(),
    ]);
    return {
      published: relay.position,
      partitions: new Map(partitions.map((row) => [row.name, Number(row.position)])),
      checkpoints: new Map(checkpoints.map((row) => [row.name, Number(row.position)])),
    };
  }
}
