import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { unauthorized } from './errors.ts';

/** OpenAPI security requirement of operator routes (scheme declared in server.ts). */
export const OPERATOR_SECURITY = [{ operatorToken: [] }];

/**
 * An `onRequest` hook requiring `Authorization: Bearer <OPERATOR_TOKEN>` (API.md Credentials); missing
 * or wrong → 401. Digests of equal length are compared in constant time.
 */
export function operatorAuth(token: string) {
  const expected = digest(token);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (match && timingSafeEqual(digest(match[1]), expected)) return;
    reply.header('www-authenticate', 'Bearer realm="Contoso Conference"');
    throw unauthorized(match ? 'The operator token is wrong.' : 'The operator token is missing (Authorization: Bearer …).');
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
