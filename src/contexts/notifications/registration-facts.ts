/**
 * What the registration e-mails say, read where it is kept: the Order, SeatAssignments and payment
 * streams (their events are Registration's and Payments' contract) and Registration's conference
 * catalogue. A fact the catalogue does not hold yet is an error, so the e-mail handler retries
 * once the catalogue has caught up, rather than sending an e-mail with gaps.
 */
import type { Kysely } from 'kysely';
import type { LoggedMessage } from '../../platform/messages/envelope.ts';
import type { MessageRegistry } from '../../platform/messages/registry.ts';
import type { Store, StreamId, Tx } from '../../platform/store/store.ts';
import { PAYMENT_SOURCE, type PaymentInitiated } from '../payments/contract.ts';
import type { CatalogueDatabase } from '../registration/catalogue/schema.ts';
import {
  ORDER_SOURCE,
  type OrderPlaced,
  type OrderTotalsCalculated,
  type PersonalInfo,
  SEAT_ASSIGNMENTS_SOURCE,
  type SeatAssignmentsCreated,
} from '../registration/contract.ts';

export interface ConferenceFacts {
  name: string;
  slug: string;
  /** `YYYY-MM-DD`. */
  startDate: string;
  endDate: string;
  location: string;
  ownerName: string;
  ownerEmail: string;
}

export interface OrderFacts {
  conferenceId: string;
  accessCode: string;
  /** The latest registrant; null before one was assigned. */
  registrant: PersonalInfo | null;
  /** The latest prices; null before the order was priced. */
  totals: OrderTotalsCalculated | null;
}

/** Reads streams and the catalogue inside the handler's transaction. */
export class RegistrationFacts {
  constructor(
    private readonly store: Store,
    private readonly registry: MessageRegistry,
    private readonly tx: Tx,
  ) {}

  get #catalogue(): Kysely<CatalogueDatabase> {
    return this.tx.db as unknown as Kysely<CatalogueDatabase>;
  }

  /** A stream's events in their current shapes, up to `upToVersion` when given. */
  async #events(stream: StreamId, upToVersion?: number): Promise<LoggedMessage[]> {
    const stored = await this.store.readStream(stream, { executor: this.tx.db });
    return stored
      .filter((event) => upToVersion === undefined || event.metadata.version! <= upToVersion)
      .map((event) => this.registry.upcast(event) as LoggedMessage);
  }

  /** The order as its events tell it (up to `upToVersion`); undefined when no such order was placed. */
  async order(orderId: string, upToVersion?: number): Promise<OrderFacts | undefined> {
    const events = await this.#events({ sourceType: ORDER_SOURCE, sourceId: orderId }, upToVersion);
    const placed = events.find((event) => event.type === 'OrderPlaced');
    if (!placed) return undefined;
    const { conferenceId, accessCode } = placed.data as OrderPlaced;
    const latest = (type: string) => events.findLast((event) => event.type === type)?.data;
    return {
      conferenceId,
      accessCode,
      registrant: (latest('OrderRegistrantAssigned') as PersonalInfo | undefined) ?? null,
      totals: (latest('OrderTotalsCalculated') as OrderTotalsCalculated | undefined) ?? null,
    };
  }

  /** The `SeatAssignmentsCreated` that opened a SeatAssignments stream. */
  async assignments(assignmentsId: string): Promise<SeatAssignmentsCreated> {
    const events = await this.#events({ sourceType: SEAT_ASSIGNMENTS_SOURCE, sourceId: assignmentsId });
    const created = events.find((event) => event.type === 'SeatAssignmentsCreated');
    if (!created) throw new Error(`Seat assignments ${assignmentsId} have no SeatAssignmentsCreated`);
    return created.data as SeatAssignmentsCreated;
  }

  /** The `PaymentInitiated` that opened a payment's stream. */
  async payment(paymentId: string): Promise<PaymentInitiated> {
    const events = await this.#events({ sourceType: PAYMENT_SOURCE, sourceId: paymentId });
    const initiated = events.find((event) => event.type === 'PaymentInitiated');
    if (!initiated) throw new Error(`Payment ${paymentId} has no PaymentInitiated`);
    return initiated.data as PaymentInitiated;
  }

  async conference(conferenceId: string): Promise<ConferenceFacts> {
    const row = await this.#catalogue
      .selectFrom('reg_conferences')
      .select(['name', 'slug', 'start_date', 'end_date', 'location', 'owner_name', 'owner_email'])
      .where('id', '=', conferenceId)
      .where('defined', '=', 1)
      .executeTakeFirst();
    if (!row) throw new Error(`Conference ${conferenceId} is not in the catalogue yet`);
    return {
      name: row.name!,
      slug: row.slug!,
      startDate: row.start_date!,
      endDate: row.end_date!,
      location: row.location!,
      ownerName: row.owner_name!,
      ownerEmail: row.owner_email!,
    };
  }

  /** Names of the seat types asked for, by id. */
  async seatTypeNames(conferenceId: string, seatTypeIds: readonly string[]): Promise<Map<string, string>> {
    const wanted = [...new Set(seatTypeIds)];
    const names = new Map<string, string>();
    if (wanted.length === 0) return names;
    const rows = await this.#catalogue
      .selectFrom('reg_seat_types')
      .select(['id', 'name'])
      .where('conference_id', '=', conferenceId)
      .where('id', 'in', wanted)
      .where('seat_type_version', '>=', 0)
      .execute();
    for (const row of rows) names.set(row.id, row.name!);
    const missing = wanted.filter((id) => !names.has(id));
    if (missing.length > 0) throw new Error(`Seat types ${missing.join(', ')} are not in the catalogue yet`);
    return names;
  }
}
