/**
 * A store in the V1 layout (V1-LAYOUT.md), opened read-only: the import never writes the V1 file.
 * Amounts are read as their decimal text (`CAST(… AS TEXT)`), so they become cents exactly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { v1TypeName } from './payload.ts';

export interface V1Conference {
  id: string;
  accessCode: string | null;
  ownerName: string;
  ownerEmail: string;
  name: string;
  description: string;
  location: string;
  slug: string;
  tagline: string | null;
  twitterSearch: string | null;
  /** `YYYY-MM-DD` (the date part of V1's `YYYY-MM-DDT00:00:00`). */
  startDate: string;
  endDate: string;
  isPublished: boolean;
  wasEverPublished: boolean;
  seatTypes: V1SeatType[];
}

export interface V1SeatType {
  id: string;
  conferenceId: string;
  name: string;
  description: string;
  quantity: number;
  /** Dollars, as the decimal text stored. */
  price: string;
}

export interface V1Event {
  aggregateId: string;
  aggregateType: string;
  version: number;
  /** The type name from the payload's `$type`. */
  type: string;
  payload: Record<string, unknown>;
  /** UTC ISO-8601 storage time. */
  timestamp: string;
}

export interface V1Process {
  /** V1's random row id (queued commands may name it instead of the order). */
  rowId: string;
  orderId: string;
  conferenceId: string;
  reservationId: string;
  reservationAutoExpiration: string | null;
  completed: boolean;
  /** 0 NotStarted, 1 AwaitingReservationConfirmation, 2 ReservationConfirmationReceived. */
  stateValue: number;
}

export interface V1Payment {
  id: string;
  /** 0 Initiated, 2 Completed, 3 Rejected. */
  stateValue: number;
  orderId: string;
  description: string | null;
  /** Dollars, as the decimal text stored. */
  totalAmount: string;
}

export interface V1QueuedCommand {
  id: number;
  type: string;
  body: Record<string, unknown>;
  deliveryDate: string | null;
}

/** A V1 instant as a V2 ISO-8601 string (V1 may omit the zone: it is UTC). */
export function v1Instant(value: string): string {
  const text = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw new Error(`Not an instant: ${value}`);
  return new Date(time).toISOString();
}

type Row = Record<string, unknown>;

export class V1Store {
  readonly #db: Database.Database;

  #snapshotDir: string | undefined;

  private constructor(readonly file: string) {
    this.#db = new Database(file, { readonly: true, fileMustExist: true });
  }

  /** Opens the file read-only and checks that it has the V1 tables. */
  static open(file: string): V1Store {
    const store = new V1Store(file);
    try {
      store.#db.prepare('SELECT count(*) FROM Events_Events').get();
      store.#db.prepare('SELECT count(*) FROM ConferenceManagement_Conferences').get();
    } catch (error) {
      store.close();
      throw new Error(`${file} is not a readable V1 store: ${error instanceof Error ? error.message : String(error)}`);
    }
    return store;
  }

  /**
   * Step 1 (DOMAIN 7.5): a consistent copy of the V1 file, taken through SQLite's online backup
   * (so a V1 store still being written is read as of one moment), opened read-only. The copy is
   * deleted on {@link close}; the V1 file itself is only read.
   */
  static async snapshot(file: string): Promise<V1Store> {
    const source = V1Store.open(file);
    const dir = mkdtempSync(join(tmpdir(), 'conference-v1-'));
    const copy = join(dir, 'v1-snapshot.sqlite');
    try {
      await source.#db.backup(copy);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    } finally {
      source.close();
    }
    const store = V1Store.open(copy);
    store.#snapshotDir = dir;
    return store;
  }

  close(): void {
    this.#db.close();
    if (this.#snapshotDir) rmSync(this.#snapshotDir, { recursive: true, force: true });
  }

  conferences(): V1Conference[] {
    const seatTypes = this.#db
      .prepare('SELECT Id, ConferenceInfo_Id, Name, Description, Quantity, CAST(Price AS TEXT) AS Price FROM ConferenceManagement_SeatTypes ORDER BY rowid')
      .all() as Row[];
    const byConference = new Map<string, V1SeatType[]>();
    for (const row of seatTypes) {
      const seatType: V1SeatType = {
        id: String(row.Id),
        conferenceId: String(row.ConferenceInfo_Id),
        name: String(row.Name),
        description: String(row.Description),
        quantity: Number(row.Quantity),
        price: String(row.Price),
      };
      const list = byConference.get(seatType.conferenceId) ?? [];
      list.push(seatType);
      byConference.set(seatType.conferenceId, list);
    }
    const rows = this.#db.prepare('SELECT * FROM ConferenceManagement_Conferences ORDER BY rowid').all() as Row[];
    return rows.map((row) => ({
      id: String(row.Id),
      accessCode: row.AccessCode == null ? null : String(row.AccessCode),
      ownerName: String(row.OwnerName),
      ownerEmail: String(row.OwnerEmail),
      name: String(row.Name),
      description: String(row.Description),
      location: String(row.Location),
      slug: String(row.Slug),
      tagline: row.Tagline == null ? null : String(row.Tagline),
      twitterSearch: row.TwitterSearch == null ? null : String(row.TwitterSearch),
      startDate: String(row.StartDate).slice(0, 10),
      endDate: String(row.EndDate).slice(0, 10),
      isPublished: Number(row.IsPublished) === 1,
      wasEverPublished: Number(row.WasEverPublished) === 1,
      seatTypes: byConference.get(String(row.Id)) ?? [],
    }));
  }

  eventCount(): number {
    return Number((this.#db.prepare('SELECT count(*) AS n FROM Events_Events').get() as Row).n);
  }

  /** Storage time of the first V1 event, if any. */
  firstEventTime(): string | undefined {
    const row = this.#db.prepare('SELECT min(Timestamp) AS first FROM Events_Events').get() as Row;
    return row.first == null ? undefined : v1Instant(String(row.first));
  }

  /** Every event in timestamp order, version order within a stream (DOMAIN 7.5 step 4). */
  *events(): Generator<V1Event> {
    const statement = this.#db.prepare('SELECT * FROM Events_Events ORDER BY Timestamp, AggregateType, AggregateId, Version');
    for (const row of statement.iterate() as Iterable<Row>) yield toEvent(row);
  }

  /** The events of one aggregate type, stream by stream in version order. */
  *eventsOf(aggregateType: string): Generator<V1Event> {
    const statement = this.#db.prepare('SELECT * FROM Events_Events WHERE AggregateType = ? ORDER BY AggregateId, Version');
    for (const row of statement.iterate(aggregateType) as Iterable<Row>) yield toEvent(row);
  }

  processes(): V1Process[] {
    const rows = this.#db.prepare('SELECT * FROM ConferenceRegistrationProcesses_RegistrationProcess ORDER BY rowid').all() as Row[];
    return rows.map((row) => ({
      rowId: String(row.Id),
      orderId: String(row.OrderId),
      conferenceId: String(row.ConferenceId),
      reservationId: String(row.ReservationId),
      reservationAutoExpiration: row.ReservationAutoExpiration == null ? null : v1Instant(String(row.ReservationAutoExpiration)),
      completed: Number(row.Completed) === 1,
      stateValue: Number(row.StateValue),
    }));
  }

  payments(): V1Payment[] {
    const rows = this.#db
      .prepare('SELECT Id, StateValue, PaymentSourceId, Description, CAST(TotalAmount AS TEXT) AS TotalAmount FROM ConferencePayments_ThirdPartyProcessorPayments ORDER BY rowid')
      .all() as Row[];
    return rows.map((row) => ({
      id: String(row.Id),
      stateValue: Number(row.StateValue),
      orderId: String(row.PaymentSourceId),
      description: row.Description == null ? null : String(row.Description),
      totalAmount: String(row.TotalAmount),
    }));
  }

  queuedCommands(): V1QueuedCommand[] {
    const rows = this.#db.prepare('SELECT Id, Body, DeliveryDate FROM SqlBus_Commands ORDER BY Id').all() as Row[];
    return rows.map((row) => {
      const body = JSON.parse(String(row.Body)) as Record<string, unknown>;
      return { id: Number(row.Id), type: v1TypeName(body), body, deliveryDate: row.DeliveryDate == null ? null : String(row.DeliveryDate) };
    });
  }
}

function toEvent(row: Row): V1Event {
  const payload = JSON.parse(String(row.Payload)) as Record<string, unknown>;
  return {
    aggregateId: String(row.AggregateId),
    aggregateType: String(row.AggregateType),
    version: Number(row.Version),
    type: v1TypeName(payload),
    payload,
    timestamp: v1Instant(String(row.Timestamp)),
  };
}
