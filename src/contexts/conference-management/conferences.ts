import type { Kysely } from 'kysely';
import { newId } from '../../platform/messages/ids.ts';
import { DomainError } from '../../platform/processing/commands.ts';
import { ConflictError } from '../../platform/store/errors.ts';
import type { Store, Tx } from '../../platform/store/store.ts';
import { recordEmail } from '../notifications/outbox.ts';
import { newAccessCode } from '../shared/access-code.ts';
import { valid } from '../shared/field-checks.ts';
import { emailKey } from '../shared/text-rules.ts';
import { conferenceEvent, conferenceSnapshot, seatEvent } from './integration-events.ts';
import { accessCodeEmail } from './owner-emails.ts';
import { type Conference, conferenceRow, detailColumns, lockConference, managementDb, seatTypesOf, slugKey } from './records.ts';
import {
  type ConferenceDetails,
  type Input,
  NO_SEAT_TYPES,
  type NewConference,
  SLUG_TAKEN,
  checkConferenceEdit,
  checkNewConference,
} from './rules.ts';
import type { ConferenceManagementDatabase } from './schema.ts';

export interface ConferencesOptions {
  store: Store;
  /** PUBLIC_URL: base of the links in e-mails. */
  publicUrl: string;
  /** Generates owner access codes (default: the secure generator). */
  accessCodes?: () => string;
  clock?: () => Date;
}

/** Attempts at a free (owner e-mail, access code) pair; with 32^6 codes a clash is already rare. */
const ACCESS_CODE_ATTEMPTS = 20;
/** A create that lost a race on a unique key runs again, to answer from what the winner stored. */
const CREATE_ATTEMPTS = 3;

/**
 * The conference operations of DOMAIN 3.1. Each runs in one transaction with its integration events
 * (the log is the outbox) and refuses with {@link ValidationError} (fields), {@link ConflictError}
 * (slug taken) or {@link DomainError}: a refused operation stores nothing.
 */
export class Conferences {
  readonly #store: Store;
  readonly #publicUrl: string;
  readonly #accessCodes: () => string;
  readonly #clock: () => Date;

  constructor(options: ConferencesOptions) {
    this.#store = options.store;
    this.#publicUrl = options.publicUrl;
    this.#accessCodes = options.accessCodes ?? newAccessCode;
    this.#clock = options.clock ?? (() => new Date());
  }

  /**
   * Creates an unpublished conference with a new access code, writes `ConferenceCreated` (version 0)
   * and records the owner's access-code e-mail, all in one transaction.
   */
  async create(input: Input<NewConference>): Promise<Conference> {
    const fields = valid(checkNewConference(input));
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#store.transaction((tx) => this.#insert(tx, fields));
      } catch (error) {
        // Another create took the slug or the code meanwhile (PostgreSQL): the next attempt sees it.
        if (attempt >= CREATE_ATTEMPTS || !this.#store.dialect.isUniqueViolation(error)) throw error;
      }
    }
  }

  async #insert(tx: Tx, fields: NewConference): Promise<Conference> {
    const db = managementDb(tx.db);
    const taken = await db.selectFrom('conferences').select('id').where('slug_key', '=', slugKey(fields.slug)).executeTakeFirst();
    if (taken) throw new ConflictError(SLUG_TAKEN);
    const now = this.#clock();
    const conference: Conference = {
      ...fields,
      id: newId(),
      accessCode: await this.#freeAccessCode(db, fields.ownerEmail),
      isPublished: false,
      wasEverPublished: false,
      eventVersion: 0,
    };
    await db.insertInto('conferences').values(conferenceRow(conference, now.toISOString())).execute();
    const created = conferenceEvent('ConferenceCreated', conference, conference.eventVersion, now);
    await this.#store.append(tx, [created]);
    await recordEmail(tx, accessCodeEmail(conference, created.metadata.messageId, this.#publicUrl), now);
    return conference;
  }

  /** (OwnerEmail, AccessCode) is unique: draw again on a clash. */
  async #freeAccessCode(db: Kysely<ConferenceManagementDatabase>, ownerEmail: string): Promise<string> {
    for (let attempt = 0; attempt < ACCESS_CODE_ATTEMPTS; attempt++) {
      const code = this.#accessCodes();
      const clash = await db
        .selectFrom('conferences')
        .select('id')
        .where('owner_email_key', '=', emailKey(ownerEmail))
        .where('access_code', '=', code)
        .executeTakeFirst();
      if (!clash) return code;
    }
    throw new Error(`No free access code for ${ownerEmail} after ${ACCESS_CODE_ATTEMPTS} attempts`);
  }

  /**
   * Changes editable fields; writes `ConferenceUpdated` (full snapshot) when something changed.
   * Publication is never touched by an edit.
   */
  update(conferenceId: string, change: Input<ConferenceDetails>): Promise<Conference> {
    return this.#store.transaction(async (tx) => {
      const current = await lockConference(this.#store, tx, conferenceId);
      const next: Conference = { ...current, ...valid(checkConferenceEdit(change, current)) };
      if (JSON.stringify(conferenceSnapshot(next)) === JSON.stringify(conferenceSnapshot(current))) return current;
      next.eventVersion = current.eventVersion + 1;
      const now = this.#clock();
      await managementDb(tx.db)
        .updateTable('conferences')
        .set({ ...detailColumns(next), event_version: next.eventVersion, updated_at: now.toISOString() })
        .where('id', '=', conferenceId)
        .execute();
      await this.#store.append(tx, [conferenceEvent('ConferenceUpdated', next, next.eventVersion, now)]);
      return next;
    });
  }

  /**
   * Publishes (no-op when published). Refused without seat types. The first publication also writes
   * a `SeatCreated` for every seat type, before `ConferencePublished`.
   */
  publish(conferenceId: string): Promise<Conference> {
    return this.#store.transaction(async (tx) => {
      const current = await lockConference(this.#store, tx, conferenceId);
      if (current.isPublished) return current;
      const seatTypes = await seatTypesOf(tx.db, conferenceId);
      if (seatTypes.length === 0) throw new DomainError(NO_SEAT_TYPES);
      const now = this.#clock();
      const db = managementDb(tx.db);
      const events = [];
      if (!current.wasEverPublished) {
        for (const seatType of seatTypes) {
          const version = seatType.eventVersion + 1;
          events.push(seatEvent('SeatCreated', seatType, version, now));
          await db.updateTable('seat_types').set({ event_version: version, updated_at: now.toISOString() }).where('id', '=', seatType.id).execute();
        }
      }
      const next: Conference = { ...current, isPublished: true, wasEverPublished: true, eventVersion: current.eventVersion + 1 };
      events.push(conferenceEvent('ConferencePublished', next, next.eventVersion, now));
      await this.#setPublication(tx, next, now);
      await this.#store.append(tx, events);
      return next;
    });
  }

  /** Unpublishes (no-op when not published); the conference stays "ever published". */
  unpublish(conferenceId: string): Promise<Conference> {
    return this.#store.transaction(async (tx) => {
      const current = await lockConference(this.#store, tx, conferenceId);
      if (!current.isPublished) return current;
      const now = this.#clock();
      const next: Conference = { ...current, isPublished: false, eventVersion: current.eventVersion + 1 };
      await this.#setPublication(tx, next, now);
      await this.#store.append(tx, [conferenceEvent('ConferenceUnpublished', next, next.eventVersion, now)]);
      return next;
    });
  }

  async #setPublication(tx: Tx, conference: Conference, now: Date): Promise<void> {
    await managementDb(tx.db)
      .updateTable('conferences')
      .set({
        is_published: conference.isPublished ? 1 : 0,
        was_ever_published: conference.wasEverPublished ? 1 : 0,
        event_version: conference.eventVersion,
        updated_at: now.toISOString(),
      })
      .where('id', '=', conference.id)
      .execute();
  }
}
