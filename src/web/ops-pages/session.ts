import type { FastifyReply, FastifyRequest } from 'fastify';
import { opsPaths } from './paths.ts';

/** The operator's key in the shared encrypted session (DOMAIN 7: 12 hours idle, `web/sessions.ts`). */
const SESSION_KEY = 'ops';

export function isOperator(request: FastifyRequest): boolean {
  return request.session.get(SESSION_KEY) === true;
}

/** After a log-in with the operator token. */
export function grantOperator(request: FastifyRequest): void {
  request.session.set(SESSION_KEY, true);
}

/** Log out: the session keeps nothing of the operator (other sites' keys and the CSRF secret stay). */
export function endOperator(request: FastifyRequest): void {
  request.session.set(SESSION_KEY, undefined);
}

/** Guards an operator page: without the operator session, to the log-in page. */
export async function requireOperator(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  return isOperator(request) ? undefined : reply.redirect(opsPaths.home, 303);
}
