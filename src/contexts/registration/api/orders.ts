import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Store } from '../../../platform/store/store.ts';
import { CredentialLimits } from '../../../web/credential-limits.ts';
import { errorResponses, notFound } from '../../../web/errors.ts';
import { RateLimiter, rateLimited } from '../../../web/rate-limiter.ts';
import { STALE_DESCRIPTION } from '../../../web/read-model-wait.ts';
import { emailKey } from '../../shared/text-rules.ts';
import { NO_ORDER_FOUND, OrderExistsError } from '../service/errors.ts';
import type { OrderWait } from '../service/order-view.ts';
import type { RegistrationService } from '../service/registration-service.ts';
import { ACCESS_CODE_SECURITY, givenAccessCode, orderCredentials, orderTarget } from './order-credentials.ts';
import {
  AssignedSeatView,
  AssignmentParams,
  CheckoutBody,
  ConferenceSlugParams,
  FindBody,
  LocatedOrder,
  NewOrderBody,
  OrderAnswer,
  OrderParams,
  OrderQuery,
  PaidCheckout,
  Person,
  SeatsBody,
  WaitQuery,
  orderBody,
} from './order-shapes.ts';
import { answerServiceErrors, withFieldPrefix } from './service-errors.ts';

export interface OrderApiOptions {
  store: Store;
  service: RegistrationService;
}

/** API.md "Commands and waiting": how long a command's answer waits for its view. */
export const COMMAND_WAIT_MS = 2000;

const tags = ['public'];
const withCode = (summary: string, description?: string) => ({ tags, summary, ...(description ? { description } : {}), security: ACCESS_CODE_SECURITY });
const COMMAND_DESCRIPTION = `Waits up to ${COMMAND_WAIT_MS / 1000} s for the order view to show the command; if it does not, the body is {id, accessCode, status: "pending", position} with header x-stale: true.`;

/**
 * The registrant's orders (API.md Public): placing, viewing, changing seats, checkout, locating and
 * seat assignment. Everything under `/api/orders/{orderId}` needs the order's `x-access-code`.
 */
export function orderApi({ store, service }: OrderApiOptions): FastifyPluginAsyncTypebox {
  return async (app) => {
    answerServiceErrors(app);
    const limits = new CredentialLimits(new RateLimiter(store));
    const credentials = orderCredentials(service, limits);

    /** The order view after waiting for `wait`, marked `x-stale` when the wait ran out; the pending body while the read models do not show the order. */
    async function orderAnswer(reply: FastifyReply, orderId: string, accessCode: string, wait: OrderWait) {
      const { view, stale } = await service.orderView(orderId, wait);
      if (stale) reply.header('x-stale', 'true');
      return view ? orderBody(view) : pendingBody(reply, orderId, accessCode, wait.minPosition ?? 0);
    }

    /**
     * The 202 of a command (API.md "Commands and waiting"): its view once the read models have
     * processed `position`, settled; the pending body when they have not shown the command in time.
     */
    async function commandAnswer(reply: FastifyReply, orderId: string, accessCode: string, position: number) {
      const { view, stale } = await service.orderView(orderId, { minPosition: position, until: 'settled', waitMs: COMMAND_WAIT_MS });
      if (stale) reply.header('x-stale', 'true');
      return view && view.position >= position ? orderBody(view) : pendingBody(reply, orderId, accessCode, position);
    }

    function pendingBody(reply: FastifyReply, orderId: string, accessCode: string, position: number) {
      reply.header('x-stale', 'true');
      return { id: orderId, accessCode, status: 'pending' as const, position };
    }

    app.post(
      '/api/conferences/:slug/orders',
      {
        schema: {
          tags,
          summary: 'Place an order',
          description: `${COMMAND_DESCRIPTION} With an existing \`orderId\`, the same seats and that order’s x-access-code: 200 and the order, unchanged.`,
          params: ConferenceSlugParams,
          body: NewOrderBody,
          response: { 200: OrderAnswer, 202: OrderAnswer, ...errorResponses(400, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        const { orderId, seats } = request.body;
        const accessCode = orderId === undefined ? undefined : givenAccessCode(request);
        if (orderId !== undefined && accessCode !== undefined) {
          const wait = await limits.retryAfter(request.ip, orderTarget(orderId));
          if (wait > 0) throw rateLimited(reply, wait);
        }
        const placed = await service.placeOrder(request.params.slug, seats, { orderId, accessCode }).catch(async (error: unknown) => {
          if (error instanceof OrderExistsError && error.wrongAccessCode) await limits.failed(request.ip, orderTarget(orderId!));
          throw error;
        });
        if (!placed.created) {
          return reply.code(200).send(await orderAnswer(reply, placed.orderId, placed.accessCode, { minVersion: 0, waitMs: COMMAND_WAIT_MS }));
        }
        return reply.code(202).send(await commandAnswer(reply, placed.orderId, placed.accessCode, placed.position));
      },
    );

    app.get(
      '/api/orders/:orderId',
      {
        schema: {
          ...withCode('An order', `Answered at a version both the draft and the priced order reached. ${STALE_DESCRIPTION} Also with \`minVersion\` and \`until\`.`),
          params: OrderParams,
          querystring: OrderQuery,
          response: { 200: OrderAnswer, ...errorResponses(400, 401, 404, 429) },
        },
      },
      async (request, reply) => {
        const { orderId } = request.params;
        const accessCode = await credentials.order(request, reply, orderId);
        return orderAnswer(reply, orderId, accessCode, request.query);
      },
    );

    app.put(
      '/api/orders/:orderId/seats',
      {
        schema: {
          ...withCode('Change the seats of an order', `Re-reserves with the same hold deadline. ${COMMAND_DESCRIPTION}`),
          params: OrderParams,
          body: SeatsBody,
          response: { 202: OrderAnswer, ...errorResponses(400, 401, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        const { orderId } = request.params;
        const accessCode = await credentials.order(request, reply, orderId);
        const { position } = await service.updateSeats(orderId, request.body.seats);
        return reply.code(202).send(await commandAnswer(reply, orderId, accessCode, position));
      },
    );

    app.post(
      '/api/orders/:orderId/checkout',
      {
        schema: {
          ...withCode(
            'Check out a reserved order',
            `A free order is confirmed (202 Order); otherwise a payment is initiated (202 {order, payment}) and its redirectUrl leads to the processor. ${COMMAND_DESCRIPTION}`,
          ),
          params: OrderParams,
          body: CheckoutBody,
          response: { 202: Type.Union([PaidCheckout, OrderAnswer]), ...errorResponses(400, 401, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        const { orderId } = request.params;
        const accessCode = await credentials.order(request, reply, orderId);
        const done = await withFieldPrefix('registrant.', () => service.checkout(orderId, request.body.registrant));
        const order = await commandAnswer(reply, orderId, accessCode, done.position);
        reply.code(202);
        return done.payment ? { order, payment: { id: done.payment.paymentId, redirectUrl: done.payment.redirectUrl } } : order;
      },
    );

    app.post(
      '/api/conferences/:slug/orders/find',
      {
        schema: {
          tags,
          summary: 'Locate an order by the registrant’s e-mail and the access code',
          description: 'The conference may be unpublished. Several matches: the most recent order.',
          params: ConferenceSlugParams,
          body: FindBody,
          response: { 200: LocatedOrder, ...errorResponses(400, 404, 429) },
        },
      },
      async (request, reply) => {
        const { email, accessCode } = request.body;
        const target = `email:${emailKey(email)}`;
        const wait = await limits.retryAfter(request.ip, target);
        if (wait > 0) throw rateLimited(reply, wait);
        const located = await service.findOrder(request.params.slug, email, accessCode);
        if (located) return located;
        await limits.failed(request.ip, target);
        throw notFound(NO_ORDER_FOUND);
      },
    );

    app.get(
      '/api/orders/:orderId/assignments',
      {
        schema: {
          ...withCode('The seats of a confirmed order and their attendees', `409 until the order is confirmed. ${STALE_DESCRIPTION}`),
          params: OrderParams,
          querystring: WaitQuery,
          response: { 200: Type.Array(AssignedSeatView, { description: 'By position' }), ...errorResponses(400, 401, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        const { orderId } = request.params;
        await credentials.order(request, reply, orderId);
        const { seats, stale } = await service.seatAssignments(orderId, request.query);
        if (stale) reply.header('x-stale', 'true');
        return seats;
      },
    );

    app.put(
      '/api/orders/:orderId/assignments/:position',
      {
        schema: {
          ...withCode('Assign a seat to an attendee', '409 until the order is confirmed.'),
          params: AssignmentParams,
          body: Person,
          response: { 202: AssignedSeatView, ...errorResponses(400, 401, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        const { orderId, position } = request.params;
        await credentials.order(request, reply, orderId);
        const changed = await service.assignSeat(orderId, position, request.body);
        return reply.code(202).send(await seatAnswer(reply, orderId, changed));
      },
    );

    app.delete(
      '/api/orders/:orderId/assignments/:position',
      {
        schema: {
          ...withCode('Free a seat', '409 until the order is confirmed.'),
          params: AssignmentParams,
          response: { 202: AssignedSeatView, ...errorResponses(400, 401, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        const { orderId, position } = request.params;
        await credentials.order(request, reply, orderId);
        const changed = await service.unassignSeat(orderId, position);
        return reply.code(202).send(await seatAnswer(reply, orderId, changed));
      },
    );

    /** The seat as the command left it, once the read model shows it (else marked `x-stale`). */
    async function seatAnswer(reply: FastifyReply, orderId: string, changed: Awaited<ReturnType<RegistrationService['assignSeat']>>) {
      const { stale } = await service.seatAssignments(orderId, { minPosition: changed.position, waitMs: COMMAND_WAIT_MS });
      if (stale) reply.header('x-stale', 'true');
      return changed.seat;
    }
  };
}
