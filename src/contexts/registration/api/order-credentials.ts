/**
 * `x-access-code` (API.md Credentials): the order's access code, in any case, on every
 * `/api/orders/{orderId}…` and `/api/payments/{paymentId}…` request. Missing → 401; an unknown
 * order or payment and a wrong code answer the same 404 "Order not found.". Every check of a given
 * code is rate limited per client IP and order (or payment), and a failed one counts.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CredentialLimits } from '../../../web/credential-limits.ts';
import { notFound, unauthorized } from '../../../web/errors.ts';
import { rateLimited } from '../../../web/rate-limiter.ts';
import { normalizeAccessCode } from '../../shared/access-code.ts';
import { ORDER_NOT_FOUND } from '../service/errors.ts';
import type { RegistrationService } from '../service/registration-service.ts';

/** OpenAPI: the scheme (declared in server.ts) and the requirement of order and payment routes. */
export const ACCESS_CODE_SECURITY_SCHEME = {
  orderAccessCode: { type: 'apiKey', in: 'header', name: 'x-access-code', description: 'The order’s access code (any case)' },
} as const;
export const ACCESS_CODE_SECURITY = [{ orderAccessCode: [] }];

const MISSING = 'Give the order’s access code in the x-access-code header.';

/** The `x-access-code` header, when one was given. */
export function givenAccessCode(request: FastifyRequest): string | undefined {
  const header = request.headers['x-access-code'];
  return typeof header === 'string' && header.trim() !== '' ? header : undefined;
}

/** Equal codes, compared in constant time. */
function sameCode(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(normalizeAccessCode(given));
  return a.length === b.length && timingSafeEqual(a, b);
}

export function orderCredentials(service: RegistrationService, limits: CredentialLimits) {
  /**
   * Checks the code against `expected` (undefined: nothing to match), counting a failure against
   * `target`; answers the order's code as stored.
   */
  async function check(request: FastifyRequest, reply: FastifyReply, target: string, expected: () => Promise<string | undefined>): Promise<string> {
    const given = givenAccessCode(request);
    if (given === undefined) throw unauthorized(MISSING);
    const wait = await limits.retryAfter(request.ip, target);
    if (wait > 0) throw rateLimited(reply, wait);
    const code = await expected();
    if (code !== undefined && sameCode(code, given)) return code;
    await limits.failed(request.ip, target);
    throw notFound(ORDER_NOT_FOUND);
  }

  return {
    /** The request may act on this order; answers its access code. */
    order(request: FastifyRequest, reply: FastifyReply, orderId: string): Promise<string> {
      return check(request, reply, orderTarget(orderId), () => service.accessCodeOf(orderId));
    },

    /** The request may act on this payment (the code of the order it pays for). */
    payment(request: FastifyRequest, reply: FastifyReply, paymentId: string): Promise<string> {
      return check(request, reply, paymentTarget(paymentId), async () => {
        const orderId = await service.orderOfPayment(paymentId);
        return orderId === undefined ? undefined : service.accessCodeOf(orderId);
      });
    },
  };
}

export type OrderCredentials = ReturnType<typeof orderCredentials>;

export const orderTarget = (orderId: string) => `order:${orderId.toLowerCase()}`;
export const paymentTarget = (paymentId: string) => `payment:${paymentId.toLowerCase()}`;
