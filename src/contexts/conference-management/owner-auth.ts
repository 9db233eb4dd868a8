import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../../platform/store/store.ts';
import type { CredentialLimits } from '../../web/credential-limits.ts';
import { unauthorized } from '../../web/errors.ts';
import { rateLimited } from '../../web/rate-limiter.ts';
import { authenticateOwner } from './owner-access.ts';
import type { Conference } from './records.ts';
import { isSlug } from './rules.ts';

/** OpenAPI: the scheme of owner routes (declared in server.ts) and their security requirement. */
export const OWNER_SECURITY_SCHEME = {
  ownerBasic: { type: 'http', scheme: 'basic', description: 'The owner’s e-mail as user name, the conference access code as password' },
} as const;
export const OWNER_SECURITY = [{ ownerBasic: [] }];

const CHALLENGE = 'Basic realm="Contoso Conference"';
const REFUSED = 'Give the owner e-mail and the access code of this conference (HTTP Basic).';

interface BasicCredentials {
  user: string;
  password: string;
}

/** The user name and password of an `Authorization: Basic …` header; undefined without one. */
function basicCredentials(header: string | undefined): BasicCredentials | undefined {
  const match = /^Basic(?:\s+(\S*))?\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? { user: decoded, password: '' } : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * HTTP Basic for `/api/management/conferences/{slug}…` (API.md Credentials): missing or wrong
 * credentials, another conference's and an unknown slug all answer the same 401. Every check of
 * given credentials is rate limited per client IP and slug, and a failed one counts.
 */
export function ownerAuth(store: Store, limits: CredentialLimits) {
  const owned = new WeakMap<FastifyRequest, Conference>();

  async function onRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const { slug } = request.params as { slug: string };
    const given = basicCredentials(request.headers.authorization);
    if (given) {
      const target = `slug:${isSlug(slug) ? slug.toLowerCase() : '?'}`;
      const wait = await limits.retryAfter(request.ip, target);
      if (wait > 0) throw rateLimited(reply, wait);
      const conference = await authenticateOwner(store.db, slug, given.user, given.password);
      if (conference) {
        owned.set(request, conference);
        return;
      }
      await limits.failed(request.ip, target);
    }
    reply.header('www-authenticate', CHALLENGE);
    throw unauthorized(REFUSED);
  }

  /** The conference the request's credentials opened (routes behind `onRequest` only). */
  function conferenceOf(request: FastifyRequest): Conference {
    const conference = owned.get(request);
    if (!conference) throw new Error('The owner auth hook did not run for this route');
    return conference;
  }

  return { onRequest, conferenceOf };
}
