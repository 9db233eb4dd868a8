import type { Kysely } from 'kysely';
import type { PersonalInfo } from '../contract.ts';

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
  readonly #db: Kysely<any>;

  /** `store.db`, or `tx.db` to read inside a transaction. */
  constructor(db: Kysely<any>) {
    this.#db = db;
  }

  async draftOrder(_orderId: string): Promise<DraftOrder | undefined> {
    throw new Error('not implemented yet');
  }

  async pricedOrder(_orderId: string): Promise<PricedOrder | undefined> {
    throw new Error('not implemented yet');
  }

  async seatAssignments(_orderId: string): Promise<OrderSeatAssignments | undefined> {
    throw new Error('not implemented yet');
  }

  async payment(_paymentId: string): Promise<PaymentView | undefined> {
    throw new Error('not implemented yet');
  }

  /** The order's most recently initiated payment. */
  async latestPayment(_orderId: string): Promise<PaymentView | undefined> {
    throw new Error('not implemented yet');
  }

  /** Locate an order (DOMAIN 5.2): conference, registrant e-mail and access code, case-insensitive; the most recent wins. */
  async findOrder(_conferenceId: string, _email: string, _accessCode: string): Promise<string | undefined> {
    void this.#db;
    throw new Error('not implemented yet');
  }
}
