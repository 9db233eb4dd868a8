import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../../platform/store/store.ts';
import { CredentialLimits } from '../../web/credential-limits.ts';
import { errorResponses, notFound } from '../../web/errors.ts';
import { RateLimiter } from '../../web/rate-limiter.ts';
import { STALE_DESCRIPTION } from '../../web/read-model-wait.ts';
import { COMMAND_WAIT_MS } from '../registration/api/orders.ts';
import { ACCESS_CODE_SECURITY, orderCredentials, paymentTarget } from '../registration/api/order-credentials.ts';
import { Payment, PaymentParams, TokenBody, WaitQuery } from '../registration/api/order-shapes.ts';
import { answerServiceErrors } from '../registration/api/service-errors.ts';
import { NotFoundError, ORDER_NOT_FOUND, PAYMENT_LINK_INVALID } from '../registration/service/errors.ts';
import type { RegistrationService } from '../registration/service/registration-service.ts';

export interface PaymentApiOptions {
  store: Store;
  service: RegistrationService;
}

const tags = ['public'];

/**
 * Payments as the registrant and the simulated processor see them (API.md Public): the payment,
 * and the processor's accept or reject answer carrying the payment's one-time token. Needs the
 * `x-access-code` of the order the payment is for.
 */
export function paymentApi({ store, service }: PaymentApiOptions): FastifyPluginAsyncTypebox {
  return async (app) => {
    answerServiceErrors(app);
    const limits = new CredentialLimits(new RateLimiter(store));
    const credentials = orderCredentials(service, limits);

    /** The payment after waiting; an unknown one cannot pass the credentials, so one is always found. */
    async function paymentAnswer(reply: FastifyReply, paymentId: string, wait: { minPosition?: number; waitMs?: number }) {
      const { view, stale } = await service.payment(paymentId, wait);
      if (stale) reply.header('x-stale', 'true');
      if (!view) throw notFound(ORDER_NOT_FOUND);
      return view;
    }

    app.get(
      '/api/payments/:paymentId',
      {
        schema: {
          tags,
          summary: 'A payment',
          description: STALE_DESCRIPTION,
          security: ACCESS_CODE_SECURITY,
          params: PaymentParams,
          querystring: WaitQuery,
          response: { 200: Payment, ...errorResponses(400, 401, 404, 429) },
        },
      },
      async (request, reply) => {
        const { paymentId } = request.params;
        await credentials.payment(request, reply, paymentId);
        return paymentAnswer(reply, paymentId, request.query);
      },
    );

    for (const answer of ['accept', 'reject'] as const) {
      app.post(
        `/api/payments/:paymentId/${answer}`,
        {
          schema: {
            tags,
            summary: answer === 'accept' ? 'The processor accepts the payment' : 'The processor rejects the payment (the order stays payable until its hold ends)',
            description: `The token of the payment’s redirectUrl is single-use: a second answer → 409; a wrong or missing one → 404. Waits up to ${COMMAND_WAIT_MS / 1000} s for the payment view (x-stale: true if it did not show the answer yet).`,
            security: ACCESS_CODE_SECURITY,
            params: PaymentParams,
            body: TokenBody,
            response: { 202: Payment, ...errorResponses(400, 401, 404, 409, 429) },
          },
        },
        async (request: FastifyRequest<{ Params: { paymentId: string }; Body: { token?: string } }>, reply) => {
          const { paymentId } = request.params;
          // The credentials' rate limit has the same target: a wrong token counts against it too.
          await credentials.payment(request, reply, paymentId);
          const token = request.body.token;
          try {
            if (!token) throw new NotFoundError(PAYMENT_LINK_INVALID);
            const done = answer === 'accept' ? await service.acceptPayment(paymentId, token) : await service.rejectPayment(paymentId, token);
            return reply.code(202).send(await paymentAnswer(reply, paymentId, { minPosition: done.position, waitMs: COMMAND_WAIT_MS }));
          } catch (error) {
            if (error instanceof NotFoundError) await limits.failed(request.ip, paymentTarget(paymentId));
            throw error;
          }
        },
      );
    }
  };
}
