import type { ExpressionBuilder, Kysely, OnConflictDatabase, OnConflictTables } from 'kysely';
import type { ConferenceEventType, ConferenceSnapshot, SeatTypeSnapshot } from '../../conference-management/contract.ts';
import type { LoggedMessage } from '../../../platform/messages/envelope.ts';
import type { HandlerContext, MessageHandler } from '../../../platform/processing/handler.ts';
import type { CatalogueDatabase } from './schema.ts';

type Db = Kysely<CatalogueDatabase>;

export const CATALOGUE_PROJECTION = 'registration-catalogue';

/**
 * Registration's conference catalogue (DOMAIN 5.2), from Conference Management's integration events.
 * Every rule of DOMAIN 5.1 holds for any delivery order and any duplicates:
 * - P1/P3: the snapshot (`ConferenceCreated`/`Updated`), the publication state
 *   (`ConferencePublished`/`Unpublished`) and each seat type are applied only when their event's
 *   version is newer than the one applied to that part of the row. The two parts of a conference
 *   have their own versions, so an older snapshot never undoes a publication, nor the other way round.
 * - P4: an event about a conference not seen yet (a seat type, or a `ConferencePublished` before
 *   `ConferenceCreated`) creates a placeholder row, shown once its snapshot arrives.
 * - P5: no side effects.
 */
export const catalogueProjection: MessageHandler = {
  name: CATALOGUE_PROJECTION,
  types: [
    'ConferenceCreated',
    'ConferenceUpdated',
    'ConferencePublished',
    'ConferenceUnpublished',
    'SeatCreated',
    'SeatUpdated',
  ] satisfies ConferenceEventType[],
  sideEffects: false,
  async handle(message: LoggedMessage, context: HandlerContext) {
    const db = context.tx.db as unknown as Db;
    const { sourceId, version } = message.metadata;
    if (version === null) throw new Error(`${message.type} ${message.metadata.messageId} has no version`);
    switch (message.type as ConferenceEventType) {
      case 'ConferenceCreated':
      case 'ConferenceUpdated':
        await applySnapshot(db, sourceId, version, message.data as ConferenceSnapshot);
        break;
      case 'ConferencePublished':
      case 'ConferenceUnpublished':
        await applyPublication(db, sourceId, version, message.type === 'ConferencePublished');
        break;
      case 'SeatCreated':
      case 'SeatUpdated':
        await applySeatType(db, sourceId, version, message.metadata.position, message.data as SeatTypeSnapshot);
        break;
    }
    // Wakes readers waiting for this read model in other processes (HandlerProgress).
    context.tx.topics.add('read_models');
  },
};

/** A conference row that only records that the conference exists (P4): every part at version −1. */
const placeholder = { is_published: 0, defined: 0, conference_version: -1, details_version: -1, published_version: -1 };

async function applySnapshot(db: Db, id: string, version: number, snapshot: ConferenceSnapshot): Promise<void> {
  const details = {
    slug: snapshot.slug,
    slug_key: snapshot.slug.toLowerCase(),
    name: snapshot.name,
    description: snapshot.description,
    location: snapshot.location,
    tagline: snapshot.tagline,
    twitter_search: snapshot.twitterSearch,
    start_date: snapshot.startDate,
    end_date: snapshot.endDate,
    reservation_hold_minutes: snapshot.reservationHoldMinutes,
    owner_name: snapshot.owner.name,
    owner_email: snapshot.owner.email,
    defined: 1,
    details_version: version,
  };
  await db
    .insertInto('reg_conferences')
    .values({ ...placeholder, id, ...details, conference_version: version })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({ ...details, conference_version: raised(eb, version) }))
        .where('reg_conferences.details_version', '<', version),
    )
    .execute();
}

async function applyPublication(db: Db, id: string, version: number, published: boolean): Promise<void> {
  const publication = { is_published: published ? 1 : 0, published_version: version };
  await db
    .insertInto('reg_conferences')
    .values({ ...placeholder, id, ...publication, conference_version: version })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({ ...publication, conference_version: raised(eb, version) }))
        .where('reg_conferences.published_version', '<', version),
    )
    .execute();
}

/** Makes sure the conference has a row, a placeholder when it is not known yet (P4). */
export async function ensureConference(db: Db, id: string): Promise<void> {
  await db
    .insertInto('reg_conferences')
    .values({ ...placeholder, id })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

async function applySeatType(db: Db, id: string, version: number, position: number, snapshot: SeatTypeSnapshot): Promise<void> {
  await ensureConference(db, snapshot.conferenceId);
  const data = {
    conference_id: snapshot.conferenceId,
    name: snapshot.name,
    description: snapshot.description,
    price: snapshot.price,
    quantity: snapshot.quantity,
    seat_type_version: version,
  };
  await db
    .insertInto('reg_seat_types')
    .values({ id, ...data, available_quantity: null, availability_version: -1, created_position: position })
    .onConflict((oc) => oc.column('id').doUpdateSet(data).where('reg_seat_types.seat_type_version', '<', version))
    .execute();
  // Creation order: the lowest log position of the seat type's events (its SeatCreated's), in any delivery order.
  await db
    .updateTable('reg_seat_types')
    .set({ created_position: position })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('created_position', 'is', null), eb('created_position', '>', position)]))
    .execute();
}

/** The row's `conference_version` raised to `version` (never lowered). */
function raised(eb: ExpressionBuilder<OnConflictDatabase<CatalogueDatabase, 'reg_conferences'>, OnConflictTables<'reg_conferences'>>, version: number) {
  return eb
    .case()
    .when('reg_conferences.conference_version', '<', version)
    .then(version)
    .else(eb.ref('reg_conferences.conference_version'))
    .end();
}
