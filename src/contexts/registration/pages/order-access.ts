import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/**
 * Access to the pages of an order (DOMAIN 6.1 "Access to order pages"): the browser session that
 * created the order, or one that located it (e-mail + access code). The grants live in the public
 * session cookie (`web/sessions.ts`: 7 days after the last grant), most recent first.
 */
const SESSION_KEY = 'orders';
const SESSION_ID_KEY = 'id';

/** DOMAIN 6.1: a public session holds the 20 most recently granted orders. */
export const MAX_GRANTED_ORDERS = 20;

function grantedOrderIds(request: FastifyRequest): string[] {
  const ids: unknown = request.publicSession.get(SESSION_KEY);
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

/** Gives this session access to an order (it created or located it); the oldest grant beyond 20 drops out. */
export function grantOrder(request: FastifyRequest, orderId: string): void {
  const others = grantedOrderIds(request).filter((id) => id !== orderId);
  request.publicSession.set(SESSION_KEY, [orderId, ...others].slice(0, MAX_GRANTED_ORDERS));
}

export function holdsOrder(request: FastifyRequest, orderId: string): boolean {
  return grantedOrderIds(request).includes(orderId);
}

/**
 * This browser's public session id, created on first use: the processor's one-time tokens issued
 * to a page are bound to it, so a token copied to another browser is worth nothing.
 */
export function publicSessionId(request: FastifyRequest): string {
  const known: unknown = request.publicSession.get(SESSION_ID_KEY);
  if (typeof known === 'string' && known !== '') return known;
  const id = randomBytes(16).toString('base64url');
  request.publicSession.set(SESSION_ID_KEY, id);
  return id;
}

const PAYMENT_TOKEN_KEY = 'paymentToken';

/**
 * The processor's token of the payment this session just initiated, kept for the hand-off page
 * (only the latest: a new checkout replaces it). The store keeps only a hash of it.
 */
export function rememberPaymentToken(request: FastifyRequest, paymentId: string, token: string): void {
  request.publicSession.set(PAYMENT_TOKEN_KEY, { paymentId, token });
}

export function paymentTokenOf(request: FastifyRequest, paymentId: string): string | undefined {
  const kept: unknown = request.publicSession.get(PAYMENT_TOKEN_KEY);
  if (typeof kept !== 'object' || kept === null) return undefined;
  const { paymentId: id, token } = kept as Record<string, unknown>;
  return id === paymentId && typeof token === 'string' ? token : undefined;
}
