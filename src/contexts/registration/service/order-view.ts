/**
 * The order as the registrant sees it (API.md `Order`): the draft and priced order read models
 * joined at a version both reached, so status, lines and total agree, with the latest payment.
 * Times left are computed on the server's clock.
 */
import type { Store } from '../../../platform/store/store.ts';
import { PAYMENT_SOURCE } from '../../payments/contract.ts';
import { ORDER_SOURCE, type PersonalInfo } from '../contract.ts';
import { draftOrdersProjection } from '../read-models/draft-orders.ts';
import { paymentsProjection } from '../read-models/payments.ts';
import { pricedOrdersProjection } from '../read-models/priced-orders.ts';
import type { DraftOrder, DraftOrderState, PaymentView, PricedOrder } from '../read-models/queries.ts';
import type { ServiceContext } from './context.ts';
import { Deadline, handlersReached, readUntil } from './waiting.ts';

export type OrderStatusName = 'pending' | 'partially-reserved' | 'reserved' | 'confirmed' | 'expired';
export type PaymentStatusName = 'initiated' | 'completed' | 'rejected' | 'refunded';

const STATUS_NAMES: Record<DraftOrderState, OrderStatusName> = {
  PendingReservation: 'pending',
  PartiallyReserved: 'partially-reserved',
  ReservationCompleted: 'reserved',
  Confirmed: 'confirmed',
  Expired: 'expired',
};

export interface OrderViewLine {
  seatTypeId: string;
  seatTypeName: string;
  requested: number;
  reserved: number;
  /** Cents: as priced, or the seat type's current price while the line is not priced. */
  unitPrice: number;
  lineTotal: number;
}

export interface OrderView {
  id: string;
  conferenceId: string;
  conferenceSlug: string;
  status: OrderStatusName;
  accessCode: string;
  /** The hold deadline, ISO. */
  expiresAt: string;
  /** Seconds left of the hold by the server's clock, never negative. */
  expiresInSeconds: number;
  holdExpired: boolean;
  /** The order's own hold length (deadline − placing time), for the countdown's text. */
  holdSeconds: number;
  /** The Order stream's version the view shows. */
  version: number;
  /** The log position up to which the view is current. */
  position: number;
  lines: OrderViewLine[];
  total: number;
  isFreeOfCharge: boolean;
  registrant: PersonalInfo | null;
  /** The most recently initiated payment. */
  payment: { id: string; status: PaymentStatusName; amount: number } | null;
  /** Why the latest confirmation was refused (e.g. a payment that came too late), if one was. */
  lastConfirmationRejection: { reason: string; paymentId: string | null } | null;
}

/**
 * What to wait for (API.md "Commands and waiting"): `settled` — no longer `pending`; `confirmed` —
 * the checkout has an outcome (confirmed or expired, or the latest payment rejected or refunded);
 * `final` — confirmed or expired.
 */
export type WaitUntil = 'settled' | 'confirmed' | 'final';

export interface OrderWait {
  minVersion?: number;
  minPosition?: number;
  until?: WaitUntil;
  /** How long to wait at most; 0 (default) answers at once. */
  waitMs?: number;
}

/** A view, or none when the read models do not know the order yet; `stale` when the wait ran out. */
export interface Viewed<T> {
  view: T | undefined;
  stale: boolean;
}

/** The read models the order view joins. */
export const ORDER_VIEW_HANDLERS = [draftOrdersProjection, pricedOrdersProjection, paymentsProjection];

/** The read-model rows an order is made of; the draft and priced order may not agree yet. */
export interface OrderParts {
  draft: DraftOrder | undefined;
  priced: PricedOrder | undefined;
  payment: PaymentView | undefined;
}

/**
 * The order view once it satisfies `wait`: parked until the read models have processed
 * `minPosition`, then re-read on each of their commits until draft and priced order agree on a
 * version ≥ `minVersion` and `until` holds. When `waitMs` runs out: what there is, `stale`.
 */
export async function orderView(context: ServiceContext, orderId: string, wait: OrderWait = {}): Promise<Viewed<OrderView>> {
  const deadline = new Deadline(wait.waitMs ?? 0);
  const reached = await handlersReached(context.progress, ORDER_VIEW_HANDLERS, wait.minPosition, deadline);
  const { value: parts, ready } = await readUntil(
    context.store,
    () => readOrderParts(context, orderId),
    (parts) => wanted(parts, wait),
    reached ? deadline : new Deadline(0),
    orderId,
  );
  if (!parts.draft) return { view: undefined, stale: true };
  const eventPosition = await latestPosition(context.store, parts);
  const position = reached && wait.minPosition !== undefined ? Math.max(wait.minPosition, eventPosition) : eventPosition;
  return { view: await compose(context, parts as OrderParts & { draft: DraftOrder }, position), stale: !(reached && ready) };
}

export async function readOrderParts(context: ServiceContext, orderId: string): Promise<OrderParts> {
  const { readModels } = context;
  const [draft, priced, payment] = await Promise.all([readModels.draftOrder(orderId), readModels.pricedOrder(orderId), readModels.latestPayment(orderId)]);
  return { draft, priced, payment };
}

function wanted({ draft, priced, payment }: OrderParts, wait: OrderWait): boolean {
  if (!draft || !priced || draft.version !== priced.version) return false;
  if (wait.minVersion !== undefined && draft.version < wait.minVersion) return false;
  return wait.until === undefined || reachedUntil(STATUS_NAMES[draft.state], payment?.status, wait.until);
}

function reachedUntil(status: OrderStatusName, paymentStatus: PaymentView['status'] | undefined, until: WaitUntil): boolean {
  const final = status === 'confirmed' || status === 'expired';
  switch (until) {
    case 'settled':
      return status !== 'pending';
    case 'final':
      return final;
    case 'confirmed':
      return final || paymentStatus === 'Rejected' || paymentStatus === 'Refunded';
  }
}

/** The log position of the newest event the view shows: the order's at its version, or its payment's. */
async function latestPosition(store: Store, { draft, payment }: OrderParts): Promise<number> {
  const sources = [{ type: ORDER_SOURCE, id: draft!.orderId, version: draft!.version }];
  if (payment) sources.push({ type: PAYMENT_SOURCE, id: payment.paymentId, version: payment.version });
  let latest = 0;
  for (const source of sources) {
    const row = await store.db
      .selectFrom('messages')
      .select('position')
      .where('source_type', '=', source.type)
      .where('source_id', '=', source.id)
      .where('version', '=', source.version)
      .executeTakeFirst();
    latest = Math.max(latest, Number(row?.position ?? 0));
  }
  return latest;
}

async function compose(context: ServiceContext, { draft, priced, payment }: OrderParts & { draft: DraftOrder }, position: number): Promise<OrderView> {
  const conference = await context.catalogue.orderingConferenceById(draft.conferenceId);
  const offers = new Map((await context.catalogue.seatTypes(draft.conferenceId)).map((offer) => [offer.id, offer]));
  const pricedLines = new Map((priced?.lines ?? []).map((line) => [line.seatType, line]));
  const now = Date.now();
  const expiresAt = Date.parse(draft.reservationExpiration);
  const status = STATUS_NAMES[draft.state];
  return {
    id: draft.orderId,
    conferenceId: draft.conferenceId,
    conferenceSlug: conference?.slug ?? '',
    status,
    accessCode: draft.accessCode,
    expiresAt: draft.reservationExpiration,
    expiresInSeconds: Math.max(0, Math.ceil((expiresAt - now) / 1000)),
    holdExpired: status === 'expired' || now >= expiresAt,
    holdSeconds: Math.round((expiresAt - Date.parse(draft.placedAt)) / 1000),
    version: draft.version,
    position,
    lines: draft.lines.map(({ seatType, requested, reserved }) => {
      const line = pricedLines.get(seatType);
      const offer = offers.get(seatType);
      return {
        seatTypeId: seatType,
        seatTypeName: line?.description || offer?.name || seatType,
        requested,
        reserved,
        unitPrice: line?.unitPrice ?? offer?.price ?? 0,
        lineTotal: line?.lineTotal ?? 0,
      };
    }),
    total: priced?.total ?? 0,
    isFreeOfCharge: priced?.isFreeOfCharge ?? false,
    registrant: draft.registrant,
    payment: payment ? { id: payment.paymentId, status: payment.status.toLowerCase() as PaymentStatusName, amount: payment.amount } : null,
    lastConfirmationRejection: draft.lastConfirmationRejection,
  };
}
