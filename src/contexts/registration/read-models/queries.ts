import type { Kysely, Selectable } from 'kysely';
import { emailKey, hasControlCharacters } from '../../shared/text-rules.ts';
import type { PersonalInfo } from '../contract.ts';
import { loadDraft } from './draft-orders.ts';
import { loadPricedOrder } from './priced-orders.ts';
import type { RegPaymentsTable, RegistrationReadModelDb } from './schema.ts';

export type DraftOrderState = 'PendingReservation' | 'PartiallyReserved' | 'ReservationCompleted' | 'Confirmed' | 'Expired';

/** Draft order (DOMAIN 5.2): what the registrant asked for and what is reserved. */
export interface DraftOrder {
  orderId: string;
  conferenceId: string;
  state: DraftOrderState;
  lines: Array<{ seatType: string; requested: number; reserved: number }>;
  /** ISO, the hold end. */
  reservationExpiration: string;
  /** `OrderPlaced` Timestamp (hold length = expiration − placedAt). */
  placedAt: string;
  accessCode: string;
  registrant: PersonalInfo | null;
  lastConfirmationRejection: { reason: string; paymentId: string | null } | null;
  /** Order stream version applied. */
  version: number;
}

export interface PricedOrderLine {
  position: number;
  seatType: string;
  description: string;
  unitPrice: number;
  quantity: number;
  lineTotal: number;
}

/** Priced order (DOMAIN 5.2): the order's latest totals. */
export interface PricedOrder {
  orderId: string;
  conferenceId: string;
  lines: PricedOrderLine[];
  total: number;
  isFreeOfCharge: boolean;
  reservationExpiration: string | null;
  status: 'Reserved' | 'Confirmed' | 'Expired';
  assignmentsId: string | null;
  version: number;
}

export interface OrderSeatAssignments {
  assignmentsId: string;
  orderId: string;
  conferenceId: string;
  seats: Array<{ position: number; seatType: string; attendee: PersonalInfo | null }>;
  version: number;
}

export interface PaymentView {
  paymentId: string;
  orderId: string;
  conferenceId: string;
  description: string;
  amount: number;
  status: 'Initiated' | 'Completed' | 'Rejected' | 'Refunded';
  refundReason: string | null;
  initiatedAt: string;
  updatedAt: string;
  version: number;
}

/** The queries of Registration's order and payment read models (DOMAIN 5.2). */
export class RegistrationReadModels {
  readonly #db: RegistrationReadModelDb;

  /** `store.db`, or `tx.db` to read inside a transaction. */
  constructor(db: Kysely<any>) {
    this.#db = db as RegistrationReadModelDb;
  }

  draftOrder(orderId: string): Promise<DraftOrder | undefined> {
    return loadDraft(this.#db, orderId);
  }

  /**
   * The order's latest pricing, once its `OrderPlaced` was applied (no lines before its first
   * `OrderTotalsCalculated`). A line priced before its seat type's name was known is described by the
   * name known now, or by the seat type id when there is still none.
   */
  async pricedOrder(orderId: string): Promise<PricedOrder | undefined> {
    const order = await loadPricedOrder(this.#db, orderId);
    if (!order || order.version < 0) return undefined;
    const unnamed = order.lines.filter((line) => line.description === null).map((line) => line.seatType);
    const names = unnamed.length === 0 ? [] : await this.#db.selectFrom('reg_seat_types').select(['id', 'name']).where('id', 'in', unnamed).execute();
    const nameOf = (seatType: string) => names.find((row) => row.id === seatType)?.name ?? seatType;
    return { ...order, lines: order.lines.map((line) => ({ ...line, description: line.description ?? nameOf(line.seatType) })) };
  }

  /** The seat assignments of an order, once created. */
  async seatAssignments(orderId: string): Promise<OrderSeatAssignments | undefined> {
    const row = await this.#db.selectFrom('reg_seat_assignments').selectAll().where('order_id', '=', orderId).orderBy('assignments_id').executeTakeFirst();
    if (!row) return undefined;
    const seats = await this.#db
      .selectFrom('reg_assigned_seats')
      .selectAll()
      .where('assignments_id', '=', row.assignments_id)
      .orderBy('position')
      .execute();
    return {
      assignmentsId: row.assignments_id,
      orderId: row.order_id,
      conferenceId: row.conference_id,
      seats: seats.map((seat) => ({
        position: seat.position,
        seatType: seat.seat_type,
        attendee: seat.email === null ? null : { firstName: seat.first_name ?? '', lastName: seat.last_name ?? '', email: seat.email },
      })),
      version: row.version,
    };
  }

  async payment(paymentId: string): Promise<PaymentView | undefined> {
    const row = await this.#db.selectFrom('reg_payments').selectAll().where('payment_id', '=', paymentId).executeTakeFirst();
    return row && toPaymentView(row);
  }

  /** The order's most recently initiated payment (`PaymentInitiated` timestamp, then payment id). */
  async latestPayment(orderId: string): Promise<PaymentView | undefined> {
    const row = await this.#db
      .selectFrom('reg_payments')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('initiated_at', 'desc')
      .orderBy('payment_id', 'desc')
      .executeTakeFirst();
    return row && toPaymentView(row);
  }

  /**
   * Locates an order (DOMAIN 5.2): of the conference's orders with a registrant, the one with this
   * e-mail and access code, both in any case; when several match, the most recently placed.
   */
  async findOrder(conferenceId: string, email: string, accessCode: string): Promise<string | undefined> {
    // Text with control characters matches no registrant (and PostgreSQL cannot compare a NUL).
    if (hasControlCharacters(email) || hasControlCharacters(accessCode)) return undefined;
    const row = await this.#db
      .selectFrom('reg_draft_orders')
      .select('order_id')
      .where('conference_id', '=', conferenceId)
      .where('registrant_email_key', '=', emailKey(email))
      .where('access_code_key', '=', accessCode.trim().toUpperCase())
      .orderBy('placed_at', 'desc')
      .orderBy('order_id', 'desc')
      .executeTakeFirst();
    return row?.order_id;
  }
}

function toPaymentView(row: Selectable<RegPaymentsTable>): PaymentView {
  return {
    paymentId: row.payment_id,
    orderId: row.order_id,
    conferenceId: row.conference_id,
    description: row.description,
    amount: Number(row.amount),
    status: row.status as PaymentView['status'],
    refundReason: row.refund_reason,
    initiatedAt: row.initiated_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}
