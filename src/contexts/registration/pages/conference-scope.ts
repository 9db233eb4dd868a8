import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendNotFoundPage } from '../../../web/pages/not-found.tsx';
import { isReservedSlug } from '../../../web/reserved-slugs.ts';
import type { Catalogue, ConferenceDetails, OrderingConference } from '../catalogue/queries.ts';

export const INVALID_CONFERENCE_CODE = 'Invalid conference code.';

/**
 * The published conference a page under `/{slug}/…` is about (DOMAIN 6.1). When there is none the
 * answer is sent here and the result is undefined: a reserved word is no slug (the site's 404); an
 * unknown or unpublished conference gets the 404 page "Invalid conference code."; a slug in another
 * case is redirected (301) to the same path with the stored case.
 */
export function pageConference(
  catalogue: Catalogue,
  request: FastifyRequest<{ Params: { slug: string } }>,
  reply: FastifyReply,
): Promise<ConferenceDetails | undefined> {
  return scopedConference((slug) => catalogue.publishedConference(slug), request, reply);
}

/**
 * The conference, published or not, of the pages about its orders (DOMAIN 6.1: they keep working
 * after the conference is unpublished); the same answers as {@link pageConference} otherwise.
 */
export function orderConference(
  catalogue: Catalogue,
  request: FastifyRequest<{ Params: { slug: string } }>,
  reply: FastifyReply,
): Promise<OrderingConference | undefined> {
  return scopedConference((slug) => catalogue.orderingConference(slug), request, reply);
}

async function scopedConference<C extends { slug: string }>(
  find: (slug: string) => Promise<C | undefined>,
  request: FastifyRequest<{ Params: { slug: string } }>,
  reply: FastifyReply,
): Promise<C | undefined> {
  const { slug } = request.params;
  if (isReservedSlug(slug)) {
    reply.callNotFound();
    return undefined;
  }
  const conference = await find(slug);
  if (!conference) {
    sendNotFoundPage(reply, INVALID_CONFERENCE_CODE);
    return undefined;
  }
  if (conference.slug !== slug) {
    const [path, query] = splitOnce(request.url, '?');
    const segments = path.split('/');
    segments[1] = encodeURIComponent(conference.slug);
    reply.redirect(segments.join('/') + (query === undefined ? '' : `?${query}`), 301);
    return undefined;
  }
  return conference;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
