import { newId } from '../../platform/messages/ids.ts';
import { DomainError } from '../../platform/processing/commands.ts';
import type { Store } from '../../platform/store/store.ts';
import { valid } from '../shared/field-checks.ts';
import { seatEvent, seatTypeSnapshot } from './integration-events.ts';
import { type SeatType, lockConference, managementDb, seatTypeOf, seatTypeRow, seatTypesWithFigures } from './records.ts';
import { CANNOT_DELETE_SEAT_TYPE, type Input, type SeatTypeDetails, checkNewSeatType, checkSeatTypeEdit, quotaBelowSold } from './rules.ts';

/**
 * The seat-type operations of DOMAIN 3.1, each in one transaction with its integration events. A
 * seat type's `SeatCreated`/`SeatUpdated` are written only once its conference was ever published
 * (before that, publishing sends them). Refusals store nothing.
 */
export class SeatTypes {
  readonly store: Store;
  readonly #clock: () => Date;

  constructor(options: { store: Store; clock?: () => Date }) {
    this.store = options.store;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** Adds a seat type after the conference's others. */
  add(conferenceId: string, input: Input<SeatTypeDetails>): Promise<SeatType> {
    return this.store.transaction(async (tx) => {
      const conference = await lockConference(this.store, tx, conferenceId);
      const fields = valid(checkNewSeatType(input));
      const db = managementDb(tx.db);
      const last = await db
        .selectFrom('seat_types')
        .select((eb) => eb.fn.max('position').as('position'))
        .where('conference_id', '=', conferenceId)
        .executeTakeFirst();
      const now = this.#clock();
      const seatType: SeatType = {
        ...fields,
        id: newId(),
        conferenceId,
        position: (last?.position ?? -1) + 1,
        eventVersion: conference.wasEverPublished ? 0 : -1,
      };
      await db.insertInto('seat_types').values(seatTypeRow(seatType, now.toISOString())).execute();
      if (conference.wasEverPublished) await this.store.append(tx, [seatEvent('SeatCreated', seatType, seatType.eventVersion, now)]);
      return seatType;
    });
  }

  /**
   * Changes the fields given; the quota may not go below the seats already sold. Answers undefined
   * when the conference has no such seat type.
   */
  change(conferenceId: string, seatTypeId: string, change: Input<SeatTypeDetails>): Promise<SeatType | undefined> {
    return this.store.transaction(async (tx) => {
      const conference = await lockConference(this.store, tx, conferenceId);
      const [current] = await seatTypesWithFigures(tx.db, conferenceId, seatTypeId);
      if (!current) return undefined;
      const fields = valid(checkSeatTypeEdit(change));
      if (fields.quantity !== undefined && fields.quantity < current.sold) throw new DomainError(quotaBelowSold(current.sold));
      const next: SeatType = { ...current, ...fields };
      if (JSON.stringify(seatTypeSnapshot(next)) === JSON.stringify(seatTypeSnapshot(current))) return current;
      if (conference.wasEverPublished) next.eventVersion = current.eventVersion + 1;
      const now = this.#clock();
      await managementDb(tx.db)
        .updateTable('seat_types')
        .set({
          name: next.name,
          description: next.description,
          quantity: next.quantity,
          price: next.price,
          event_version: next.eventVersion,
          updated_at: now.toISOString(),
        })
        .where('id', '=', seatTypeId)
        .execute();
      if (conference.wasEverPublished) await this.store.append(tx, [seatEvent('SeatUpdated', next, next.eventVersion, now)]);
      return next;
    });
  }

  /**
   * Deletes a seat type of a conference that was never published (Registration never saw it).
   * Answers false when the conference has no such seat type.
   */
  remove(conferenceId: string, seatTypeId: string): Promise<boolean> {
    return this.store.transaction(async (tx) => {
      const conference = await lockConference(this.store, tx, conferenceId);
      if (!(await seatTypeOf(tx.db, conferenceId, seatTypeId))) return false;
      if (conference.wasEverPublished) throw new DomainError(CANNOT_DELETE_SEAT_TYPE);
      await managementDb(tx.db).deleteFrom('seat_types').where('id', '=', seatTypeId).execute();
      return true;
    });
  }
}
