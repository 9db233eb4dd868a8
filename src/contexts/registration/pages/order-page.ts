import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OrderingConference } from '../catalogue/queries.ts';
import type { ServiceContext } from '../service/context.ts';
import { orderConference } from './conference-scope.ts';
import { holdsOrder } from './order-access.ts';
import { registrationPaths } from './paths.ts';

export type OrderPageRequest = FastifyRequest<{ Params: { slug: string; orderId?: string }; Querystring: Record<string, string | undefined> }>;

/** The conference and order a page is about, once the visitor may see it. */
export interface OpenedOrder {
  conference: OrderingConference;
  orderId: string;
  /** A log position the page must wait for (a command sent just before), from `?position=`. */
  minPosition: number | undefined;
}

/**
 * Opens an order's page (DOMAIN 6.1): the conference by slug (published or not; 404 / 301 as every
 * page under `/{slug}`), the order id from the path or `?orderId=`, the session's access to it, and
 * the order being one of this conference. Anything missing or not granted sends the visitor to the
 * locate page; the answer is then sent and the result undefined.
 */
export async function openOrder(context: ServiceContext, request: OrderPageRequest, reply: FastifyReply): Promise<OpenedOrder | undefined> {
  const conference = await orderConference(context.catalogue, request, reply);
  if (!conference) return undefined;
  const orderId = request.params.orderId ?? request.query.orderId ?? '';
  // The order's own stream says which conference it belongs to: another conference's path is no way in.
  if (orderId === '' || !holdsOrder(request, orderId) || (await context.order(orderId)).conferenceId !== conference.id) {
    void reply.redirect(registrationPaths(conference.slug).locate, 303);
    return undefined;
  }
  return { conference, orderId, minPosition: positionParam(request.query.position) };
}

/** `?position=` as a log position; anything else is ignored. */
function positionParam(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

/** A page path with the position the next page waits for. */
export function withPosition(path: string, position: number): string {
  return position > 0 ? `${path}${path.includes('?') ? '&' : '?'}position=${position}` : path;
}
