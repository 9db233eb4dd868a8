import type { ServiceContext } from './context.ts';

export interface LocatedOrder {
  orderId: string;
  /** The conference's slug as stored. */
  conferenceSlug: string;
}

/**
 * Locate an order (DOMAIN 6.1 "Locate registration"): within one conference, published or not, by
 * the registrant's e-mail and the access code, both in any case; several matches → the most recent
 * order. Orders without a registrant cannot be found.
 */
export async function locateOrder(context: ServiceContext, slug: string, email: string, accessCode: string): Promise<LocatedOrder | undefined> {
  const conference = await context.catalogue.orderingConference(slug);
  if (!conference) return undefined;
  const orderId = await context.readModels.findOrder(conference.id, email, accessCode);
  return orderId === undefined ? undefined : { orderId, conferenceSlug: conference.slug };
}
