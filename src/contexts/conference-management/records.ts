import type { Kysely, Selectable } from 'kysely';
import type { Executor } from '../../platform/store/dialect.ts';
import type { Store, Tx } from '../../platform/store/store.ts';
import { emailKey } from '../shared/text-rules.ts';
import type { ConferenceDetails, NewConference, SeatTypeDetails } from './rules.ts';
import type { ConferenceManagementDatabase, ConferencesTable, SeatTypesTable } from './schema.ts';

/** A conference as this context keeps it. */
export interface Conference extends NewConference {
  id: string;
  accessCode: string;
  isPublished: boolean;
  wasEverPublished: boolean;
  /** Version of the conference source's last integration event. */
  eventVersion: number;
}

export interface SeatType extends SeatTypeDetails {
  id: string;
  conferenceId: string;
  position: number;
  /** Version of the seat type source's last integration event; −1 before its `SeatCreated`. */
  eventVersion: number;
}

/** Seat sales figures (DOMAIN 5.3); `available` = max(`remaining`, 0). */
export interface SeatFigures {
  sold: number;
  held: number;
  remaining: number;
  available: number;
}

export type SeatTypeWithFigures = SeatType & SeatFigures;

export type ManagementDb = Kysely<ConferenceManagementDatabase>;

/** This context's tables, through any executor of the store (a transaction or the store's pool). */
export function managementDb(executor: Executor): ManagementDb {
  return executor as unknown as ManagementDb;
}

/** Slugs are unique and looked up case-insensitively. */
export function slugKey(slug: string): string {
  return slug.toLowerCase();
}

export function toConference(row: Selectable<ConferencesTable>): Conference {
  return {
    id: row.id,
    slug: row.slug,
    accessCode: row.access_code,
    ownerName: row.owner_name,
    ownerEmail: row.owner_email,
    name: row.name,
    tagline: row.tagline,
    description: row.description,
    location: row.location,
    twitterSearch: row.twitter_search,
    startDate: row.start_date,
    endDate: row.end_date,
    reservationHoldMinutes: row.reservation_hold_minutes,
    isPublished: row.is_published === 1,
    wasEverPublished: row.was_ever_published === 1,
    eventVersion: row.event_version,
  };
}

/** The columns of the editable details. */
/** The `conferences` row of a conference, as created (`stamp`: created and updated). */
export function conferenceRow(conference: Conference, stamp: string): Selectable<ConferencesTable> {
  return {
    id: conference.id,
    slug: conference.slug,
    slug_key: slugKey(conference.slug),
    access_code: conference.accessCode,
    owner_name: conference.ownerName,
    owner_email: conference.ownerEmail,
    owner_email_key: emailKey(conference.ownerEmail),
    ...detailColumns(conference),
    is_published: conference.isPublished ? 1 : 0,
    was_ever_published: conference.wasEverPublished ? 1 : 0,
    event_version: conference.eventVersion,
    created_at: stamp,
    updated_at: stamp,
  };
}

/** The `seat_types` row of a seat type, as created (`stamp`: created and updated). */
export function seatTypeRow(seatType: SeatType, stamp: string): Selectable<SeatTypesTable> {
  return {
    id: seatType.id,
    conference_id: seatType.conferenceId,
    position: seatType.position,
    name: seatType.name,
    description: seatType.description,
    quantity: seatType.quantity,
    price: seatType.price,
    event_version: seatType.eventVersion,
    created_at: stamp,
    updated_at: stamp,
  };
}

export function detailColumns(details: ConferenceDetails) {
  return {
    name: details.name,
    tagline: details.tagline,
    description: details.description,
    location: details.location,
    twitter_search: details.twitterSearch,
    start_date: details.startDate,
    end_date: details.endDate,
    reservation_hold_minutes: details.reservationHoldMinutes,
  };
}

function toSeatType(row: Selectable<SeatTypesTable>): SeatType {
  return {
    id: row.id,
    conferenceId: row.conference_id,
    position: row.position,
    name: row.name,
    description: row.description,
    quantity: row.quantity,
    price: row.price,
    eventVersion: row.event_version,
  };
}

export async function conferenceBySlug(executor: Executor, slug: string): Promise<Conference | undefined> {
  const row = await managementDb(executor).selectFrom('conferences').selectAll().where('slug_key', '=', slugKey(slug)).executeTakeFirst();
  return row && toConference(row);
}

/**
 * Reads a conference for a change, holding the conference's lock until `tx` ends. Every change of
 * a conference or of its seat types starts here, before writing anything: changes of one conference
 * run one after the other, their integration event versions never clash, and each source's events
 * are logged in version order ({@link Store.lock}).
 */
export async function lockConference(store: Store, tx: Tx, conferenceId: string): Promise<Conference> {
  await store.lock(tx, `conference:${conferenceId}`);
  const row = await managementDb(tx.db).selectFrom('conferences').selectAll().where('id', '=', conferenceId).executeTakeFirst();
  if (!row) throw new Error(`Conference ${conferenceId} does not exist`);
  return toConference(row);
}

/** A conference's seat types in creation order. */
export async function seatTypesOf(executor: Executor, conferenceId: string): Promise<SeatType[]> {
  const rows = await managementDb(executor)
    .selectFrom('seat_types')
    .selectAll()
    .where('conference_id', '=', conferenceId)
    .orderBy('position')
    .execute();
  return rows.map(toSeatType);
}

export async function seatTypeOf(executor: Executor, conferenceId: string, seatTypeId: string): Promise<SeatType | undefined> {
  const row = await managementDb(executor)
    .selectFrom('seat_types')
    .selectAll()
    .where('id', '=', seatTypeId)
    .where('conference_id', '=', conferenceId)
    .executeTakeFirst();
  return row && toSeatType(row);
}

/**
 * Seat types with their sales figures, in creation order. A seat type the sales summary has no row
 * for yet has sold and held nothing; until availability is known, its whole quota remains.
 */
export async function seatTypesWithFigures(executor: Executor, conferenceId: string, seatTypeId?: string): Promise<SeatTypeWithFigures[]> {
  let query = managementDb(executor)
    .selectFrom('seat_types')
    .leftJoin('seat_sales', 'seat_sales.seat_type_id', 'seat_types.id')
    .selectAll('seat_types')
    .select(['seat_sales.sold', 'seat_sales.held', 'seat_sales.remaining', 'seat_sales.remaining_version'])
    .where('seat_types.conference_id', '=', conferenceId)
    .orderBy('seat_types.position');
  if (seatTypeId !== undefined) query = query.where('seat_types.id', '=', seatTypeId);
  const rows = await query.execute();
  return rows.map((row) => {
    // No availability applied yet (a row made by a sale first): the whole quota remains.
    const remaining = row.remaining !== null && row.remaining_version !== null && row.remaining_version >= 0 ? row.remaining : row.quantity;
    return { ...toSeatType(row), sold: row.sold ?? 0, held: row.held ?? 0, remaining, available: Math.max(remaining, 0) };
  });
}
