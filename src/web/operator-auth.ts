import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../platform/store/store.ts';
import { CredentialLimits } from './credential-limits.ts';
import { unauthorized } from './errors.ts';
import { RateLimiter, rateLimited } from './rate-limiter.ts';

/** OpenAPI security requirement of operator routes (scheme declared in server.ts). */
export const OPERATOR_SECURITY = [{ operatorToken: [] }];

/**
 * The credential-limit target of the operator token, wherever it is given (the API, `/metrics`, the
 * `/ops` log-in): one budget of failures per client IP for the one secret.
 */
export const OPERATOR_TARGET = 'operator';

/** Whether a given text is the operator token: digests of equal length compared in constant time. */
export function operatorTokenCheck(token: string): (given: string) => boolean {
  const expected = digest(token);
  return (given) => timingSafeEqual(digest(given), expected);
}

/**
 * An `onRequest` hook requiring `Authorization: Bearer <OPERATOR_TOKEN>` (API.md Credentials); missing
 * or wrong → 401. Wrong tokens count as failed credential checks (target {@link OPERATOR_TARGET});
 * past the limit every token, even the right one, answers 429 `rate_limited` with `Retry-After`.
 */
export function operatorAuth({ token, store }: { token: string; store: Store }) {
  const isOperatorToken = operatorTokenCheck(token);
  const limits = new CredentialLimits(new RateLimiter(store));
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (match) {
      const wait = await limits.retryAfter(request.ip, OPERATOR_TARGET);
      if (wait > 0) throw rateLimited(reply, wait);
      if (isOperatorToken(match[1])) return;
      await limits.failed(request.ip, OPERATOR_TARGET);
    }
    reply.header('www-authenticate', 'Bearer realm="Contoso Conference"');
    throw unauthorized(match ? 'The operator token is wrong.' : 'The operator token is missing (Authorization: Bearer …).');
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
