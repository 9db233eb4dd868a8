/**
 * Request and answer shapes of the registrant's order and payment API (API.md Public), for
 * validation and the OpenAPI document. Types and unknown fields are checked here; the rules with
 * DOMAIN 3.2.1's messages (seat quantities, registrant and attendee details) are the service's.
 */
import { Type } from 'typebox';
import { MAX_SEATS_PER_TYPE } from '../order.ts';
import { ReadModelWaitQuery } from '../../../web/read-model-wait.ts';
import type { OrderView } from '../service/order-view.ts';

const Uuid = (description: string) => Type.String({ format: 'uuid', description });
const Cents = (description = 'Cents (USD)') => Type.Integer({ description });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const OrderParams = Type.Object({ orderId: Uuid('Order id') });
export const PaymentParams = Type.Object({ paymentId: Uuid('Payment id') });
export const AssignmentParams = Type.Object({
  orderId: OrderParams.properties.orderId,
  position: Type.Integer({ minimum: 0, description: 'Seat position, from 0' }),
});
export const ConferenceSlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 200, description: 'Conference slug, any case' }) });

const SeatSelection = Type.Array(
  Type.Object(
    {
      seatTypeId: Type.String({ maxLength: 100, description: 'A seat type of the conference, each at most once' }),
      quantity: Type.Integer({ description: `0 to ${MAX_SEATS_PER_TYPE}` }),
    },
    { additionalProperties: false },
  ),
  { maxItems: 100, description: 'At least one quantity above 0' },
);

export const NewOrderBody = Type.Object(
  {
    seats: SeatSelection,
    orderId: Type.Optional(Uuid('Makes the call idempotent: placing the same seats again with the order’s x-access-code answers 200')),
  },
  { additionalProperties: false },
);

export const SeatsBody = Type.Object({ seats: SeatSelection }, { additionalProperties: false });

const personFields = {
  firstName: Type.String({ description: 'Required, at most 100 characters' }),
  lastName: Type.String({ description: 'Required, at most 100 characters' }),
  email: Type.String({ description: 'A valid e-mail address' }),
};
export const Person = Type.Object(personFields, { additionalProperties: false });
const PersonView = Type.Object(personFields);

export const CheckoutBody = Type.Object(
  {
    registrant: Person,
    paymentMethod: Type.Optional(Type.Literal('card', { description: 'The only method (invoices are not offered)' })),
  },
  { additionalProperties: false },
);

export const FindBody = Type.Object(
  { email: Type.String({ maxLength: 320 }), accessCode: Type.String({ maxLength: 100, description: 'The order’s access code, any case' }) },
  { additionalProperties: false },
);
export const LocatedOrder = Type.Object({ orderId: Type.String(), conferenceSlug: Type.String({ description: 'As stored' }) });

export const TokenBody = Type.Object(
  { token: Type.Optional(Type.String({ maxLength: 200, description: 'The token of the payment’s redirectUrl; single-use' })) },
  { additionalProperties: false },
);

export const OrderQuery = Type.Object(
  {
    ...ReadModelWaitQuery,
    minVersion: Type.Optional(Type.Integer({ minimum: 0, description: 'Answer once the order view has reached this Order stream version' })),
    until: Type.Optional(
      Type.Union([Type.Literal('settled'), Type.Literal('confirmed'), Type.Literal('final')], {
        description: '`settled`: no longer pending; `confirmed`: confirmed or expired, or the latest payment rejected or refunded; `final`: confirmed or expired',
      }),
    ),
  },
  { additionalProperties: false },
);
export const WaitQuery = Type.Object(ReadModelWaitQuery, { additionalProperties: false });

const STATUSES = ['pending', 'partially-reserved', 'reserved', 'confirmed', 'expired'] as const;
const PAYMENT_STATUSES = ['initiated', 'completed', 'rejected', 'refunded'] as const;

export const Order = Type.Object(
  {
    id: Type.String(),
    conferenceSlug: Type.String(),
    status: Type.Enum(STATUSES),
    accessCode: Type.String(),
    expiresAt: Type.String({ format: 'date-time', description: 'The hold deadline, set when the order was placed' }),
    expiresInSeconds: Type.Integer({ minimum: 0, description: 'Time left of the hold by the server’s clock' }),
    holdExpired: Type.Boolean(),
    version: Type.Integer({ description: 'The Order stream’s version the view shows' }),
    position: Type.Integer({ description: 'The log position up to which the view is current' }),
    lines: Type.Array(
      Type.Object({
        seatTypeId: Type.String(),
        seatTypeName: Type.String(),
        requested: Type.Integer(),
        reserved: Type.Integer({ description: 'After expiry: the last reserved quantity' }),
        unitPrice: Cents(),
        lineTotal: Cents(),
      }),
    ),
    total: Cents(),
    isFreeOfCharge: Type.Boolean({ description: 'Total 0 and at least one seat reserved' }),
    registrant: Nullable(PersonView),
    payment: Nullable(
      Type.Object({ id: Type.String(), status: Type.Enum(PAYMENT_STATUSES) }, { description: 'The most recently initiated payment' }),
    ),
  },
  { description: 'Draft and priced order joined at a version both reached' },
);

export const PendingOrder = Type.Object(
  { id: Type.String(), accessCode: Type.String(), status: Type.Literal('pending'), position: Type.Integer() },
  { description: 'The read models do not show the order yet (header x-stale: true)' },
);
export const OrderAnswer = Type.Union([Order, PendingOrder]);

export const PaidCheckout = Type.Object({
  order: OrderAnswer,
  payment: Type.Object({ id: Type.String(), redirectUrl: Type.String({ description: '/payment?paymentId=…&token=…' }) }),
});

export const Payment = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  status: Type.Enum(PAYMENT_STATUSES),
  amount: Cents(),
  description: Type.String(),
});

export const AssignedSeatView = Type.Object({
  position: Type.Integer(),
  seatTypeId: Type.String(),
  seatTypeName: Type.String(),
  attendee: Nullable(PersonView),
});

/** The contract's `Order` fields of a view. */
export function orderBody(view: OrderView) {
  const { id, conferenceSlug, status, accessCode, expiresAt, expiresInSeconds, holdExpired, version, position, lines, total, isFreeOfCharge, registrant } = view;
  const payment = view.payment && { id: view.payment.id, status: view.payment.status };
  return { id, conferenceSlug, status, accessCode, expiresAt, expiresInSeconds, holdExpired, version, position, lines, total, isFreeOfCharge, registrant, payment };
}

