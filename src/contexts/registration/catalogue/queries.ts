import type { Kysely } from 'kysely';
import type { Store } from '../../../platform/store/store.ts';
import type { CatalogueDatabase, RegConferencesTable } from './schema.ts';

export interface ConferenceSummary {
  id: string;
  slug: string;
  name: string;
  tagline: string | null;
  location: string;
  /** `YYYY-MM-DD`. */
  startDate: string;
  endDate: string;
}

export interface ConferenceDetails extends ConferenceSummary {
  description: string;
  twitterSearch: string | null;
}

/**
 * A conference as orders need it, published or not: the orders of a conference that was unpublished
 * stay reachable (DOMAIN 6.1), only new ones and seat changes are refused.
 */
export interface OrderingConference {
  id: string;
  slug: string;
  name: string;
  isPublished: boolean;
  /** The hold of its orders as Conference Management last said (DOMAIN 3.2.3). */
  reservationHoldMinutes: number;
}

/** DOMAIN 3.1: the hold of a conference that never said otherwise. */
export const DEFAULT_HOLD_MINUTES = 15;

export interface SeatTypeOffer {
  id: string;
  name: string;
  description: string;
  /** Cents. */
  price: number;
  /** Seats still on sale, never negative (DOMAIN 5.2). */
  available: number;
}

const SUMMARY_COLUMNS = ['id', 'slug', 'name', 'tagline', 'location', 'start_date', 'end_date'] as const;

type SummaryRow = Pick<RegConferencesTable, (typeof SUMMARY_COLUMNS)[number]>;

/** Names compare as people read them, the same on SQLite and PostgreSQL. */
const byName = new Intl.Collator('en', { sensitivity: 'base' });

/** The public queries of the conference catalogue (DOMAIN 5.2): only defined, published conferences. */
export class Catalogue {
  readonly #db: Kysely<CatalogueDatabase>;

  constructor(store: Store) {
    this.#db = store.db as unknown as Kysely<CatalogueDatabase>;
  }

  #published() {
    return this.#db.selectFrom('reg_conferences').where('defined', '=', 1).where('is_published', '=', 1);
  }

  /** Published conferences by start date, then name (DOMAIN Conventions). */
  async publishedConferences(): Promise<ConferenceSummary[]> {
    const rows = await this.#published().select(SUMMARY_COLUMNS).execute();
    return rows
      .map(toSummary)
      .sort((a, b) => a.startDate.localeCompare(b.startDate) || byName.compare(a.name, b.name) || a.id.localeCompare(b.id));
  }

  /** A published conference by its slug in any case; the answer carries the stored case. */
  async publishedConference(slug: string): Promise<ConferenceDetails | undefined> {
    const row = await this.#published()
      .select([...SUMMARY_COLUMNS, 'description', 'twitter_search'])
      .where('slug_key', '=', slug.toLowerCase())
      .executeTakeFirst();
    return row && { ...toSummary(row), description: row.description!, twitterSearch: row.twitter_search };
  }

  /** A defined conference, published or not, by its slug in any case. */
  orderingConference(slug: string): Promise<OrderingConference | undefined> {
    return this.#ordering('slug_key', slug.toLowerCase());
  }

  /** A defined conference, published or not, by id. */
  orderingConferenceById(id: string): Promise<OrderingConference | undefined> {
    return this.#ordering('id', id);
  }

  async #ordering(column: 'id' | 'slug_key', value: string): Promise<OrderingConference | undefined> {
    const row = await this.#db
      .selectFrom('reg_conferences')
      .select(['id', 'slug', 'name', 'is_published', 'reservation_hold_minutes'])
      .where('defined', '=', 1)
      .where(column, '=', value)
      .executeTakeFirst();
    return (
      row && {
        id: row.id,
        slug: row.slug!,
        name: row.name!,
        isPublished: row.is_published === 1,
        reservationHoldMinutes: row.reservation_hold_minutes ?? DEFAULT_HOLD_MINUTES,
      }
    );
  }

  /** The seat types of a conference in creation order; placeholders are left out. */
  async seatTypes(conferenceId: string): Promise<SeatTypeOffer[]> {
    const rows = await this.#db
      .selectFrom('reg_seat_types')
      .select(['id', 'name', 'description', 'price', 'quantity', 'available_quantity'])
      .where('conference_id', '=', conferenceId)
      .where('seat_type_version', '>=', 0)
      .orderBy('created_position')
      .orderBy('name')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      name: row.name!,
      description: row.description!,
      price: row.price!,
      // Until availability events are projected, the whole quota is on sale.
      available: Math.max(row.available_quantity ?? row.quantity!, 0),
    }));
  }
}

/** A defined row has every required field. */
function toSummary(row: SummaryRow): ConferenceSummary {
  return {
    id: row.id,
    slug: row.slug!,
    name: row.name!,
    tagline: row.tagline,
    location: row.location!,
    startDate: row.start_date!,
    endDate: row.end_date!,
  };
}
