import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../../../platform/store/store.ts';
import { type Conference, conferenceBySlug } from '../records.ts';
import { isSlug } from '../rules.ts';
import type { Visitor } from './components.tsx';
import { paths } from './paths.ts';

/**
 * The management session (DOMAIN 6.2): the conferences this browser has logged in to (or created),
 * most recent first, kept in the site's encrypted session cookie under its own key.
 */
const SESSION_KEY = 'managedConferences';

/** The cookie stays small: older log-ins drop out. */
const MAX_MANAGED_CONFERENCES = 20;

function managedConferenceIds(request: FastifyRequest): string[] {
  const ids: unknown = request.session.get(SESSION_KEY);
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

/** Adds a conference to the session (after log-in or creation). */
export function grantConference(request: FastifyRequest, conferenceId: string): void {
  const others = managedConferenceIds(request).filter((id) => id !== conferenceId);
  request.session.set(SESSION_KEY, [conferenceId, ...others].slice(0, MAX_MANAGED_CONFERENCES));
}

/** Log out: the session keeps nothing of the management site (other keys, such as the CSRF secret, stay). */
export function endManagement(request: FastifyRequest): void {
  request.session.set(SESSION_KEY, undefined);
}

/**
 * Guards the pages under `/manage/{slug}/…`: a request whose session does not hold that conference
 * goes to the log-in page, whether or not the slug exists (an htmx request is told to go there with
 * `HX-Redirect`, so that the log-in page does not land inside the page).
 */
export function conferenceAccess(store: Store) {
  const opened = new WeakMap<FastifyRequest, Conference>();

  async function onRequest(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const { slug } = request.params as { slug: string };
    const conference = isSlug(slug) ? await conferenceBySlug(store.db, slug) : undefined;
    if (conference && managedConferenceIds(request).includes(conference.id)) {
      opened.set(request, conference);
      return undefined;
    }
    if (request.headers['hx-request'] === 'true') return reply.header('hx-redirect', paths.login).send('');
    return reply.redirect(paths.login, 303);
  }

  /** The conference the session opened (routes behind `onRequest` only). */
  function conferenceOf(request: FastifyRequest): Conference {
    const conference = opened.get(request);
    if (!conference) throw new Error('The management access hook did not run for this route');
    return conference;
  }

  return { onRequest, conferenceOf };
}

export type ConferenceAccess = ReturnType<typeof conferenceAccess>;

/** The visitor of a page outside any conference: a CSRF token, and whether "Log out" applies. */
export function visitorOf(request: FastifyRequest, reply: FastifyReply): Visitor {
  return { csrf: reply.generateCsrf(), signedIn: managedConferenceIds(request).length > 0 };
}
