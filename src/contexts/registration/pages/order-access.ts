import type { FastifyReply, FastifyRequest } from 'fastify';
import { registrationPaths } from './paths.ts';

/**
 * Access to the pages of an order (DOMAIN 6.1 "Access to order pages"): the browser session that
 * created the order, or one that located it (e-mail + access code). The grants live in the public
 * session cookie (`web/sessions.ts`: 7 days after the last grant), most recent first.
 */
const SESSION_KEY = 'orders';

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
 * Whether this session may open the order's pages; if not, the visitor has been sent to the locate
 * page (the same answer whether or not the order exists).
 */
export function mayOpenOrder(request: FastifyRequest, reply: FastifyReply, slug: string, orderId: string): boolean {
  if (holdsOrder(request, orderId)) return true;
  void reply.redirect(registrationPaths(slug).locate, 303);
  return false;
}
