import { createHash } from 'node:crypto';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import secureSession, { type Session } from '@fastify/secure-session';
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    publicSession: Session;
  }
}

declare module '@fastify/secure-session' {
  /** Each area keeps its own key (e.g. the management site its conferences); read them through typed helpers. */
  interface SessionData {
    [key: string]: unknown;
  }
}

/** A session ends after this long without a request (DOMAIN 6.2: 12 hours). */
export const SESSION_IDLE_SECONDS = 12 * 60 * 60;
export const SESSION_COOKIE = 'contoso_session';

/**
 * The public site's grants of orders live in a second encrypted cookie, because they outlive the
 * 12-hour idle limit (DOMAIN 6.1: a public session expires after 7 days). Read it as
 * `request.publicSession`.
 */
export const PUBLIC_SESSION_SECONDS = 7 * 24 * 60 * 60;
export const PUBLIC_SESSION_COOKIE = 'contoso_orders';

/**
 * Encrypted stateless sessions for the sites (one cookie, keyed by SESSION_SECRET, so every web
 * process reads every session), form bodies, and CSRF tokens kept in the session. Page routes check
 * the token with `preHandler: app.csrfProtection`; forms carry it in the `_csrf` field, htmx in the
 * `x-csrf-token` header. Cookies are HttpOnly, SameSite=Lax, and Secure when the site's public URL
 * is https (whatever a proxy in front reports) or the request came over TLS (directly, or as the
 * proxy reports with TRUST_PROXY).
 */
export async function registerSessions(app: FastifyInstance, sessionSecret: string, publicUrl: string): Promise<void> {
  await app.register(formbody);
  const secure = publicUrl.startsWith('https:') ? true : 'auto';
  const cookie = { path: '/', httpOnly: true, sameSite: 'lax', secure } as const;
  await app.register(secureSession, [
    { sessionName: 'session', key: createHash('sha256').update(sessionSecret).digest(), cookieName: SESSION_COOKIE, expiry: SESSION_IDLE_SECONDS, cookie },
    {
      sessionName: 'publicSession',
      // Its own key, so that neither cookie reads as the other.
      key: createHash('sha256').update(`${PUBLIC_SESSION_COOKIE}:${sessionSecret}`).digest(),
      cookieName: PUBLIC_SESSION_COOKIE,
      expiry: PUBLIC_SESSION_SECONDS,
      cookie: { ...cookie, maxAge: PUBLIC_SESSION_SECONDS },
    },
  ]);
  // Sliding expiry: every request to a live session starts its idle time again.
  app.addHook('onRequest', async (request) => {
    if (Object.keys(request.session.data() ?? {}).length > 0) request.session.touch();
  });
  await app.register(csrf, { sessionPlugin: '@fastify/secure-session' });
}
