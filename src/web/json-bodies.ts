import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.ts';

/**
 * The JSON API (`/api/…`) takes JSON bodies only: any other body answers 415 before it is read,
 * whatever parsers the page routes add (forms, text).
 */
export function requireJsonBodies(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.is404 || !request.url.startsWith('/api/')) return;
    const { headers } = request;
    const hasBody = headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
    if (!hasBody) return;
    const mediaType = headers['content-type']?.split(';', 1)[0].trim().toLowerCase();
    if (mediaType !== 'application/json') {
      throw new ApiError(415, 'unsupported_media_type', 'Send the body as JSON (content-type: application/json).');
    }
  });
}
