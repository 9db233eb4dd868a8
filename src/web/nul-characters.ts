import type { FastifyInstance } from 'fastify';
import { validationFailed } from './errors.ts';

/**
 * No path parameter or query parameter of the API or the sites takes a NUL character (U+0000), and
 * PostgreSQL can neither compare nor store one in text: a request with one there is refused with 400
 * naming the parameter, before any route looks anything up with it. Runs after the areas' own
 * credential checks (`onRequest`), so that those answer as they do for any other wrong value.
 */
export function refuseNulCharacters(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (request.is404) return;
    const fields: Record<string, string> = {};
    for (const part of [request.params, request.query]) {
      for (const [name, value] of Object.entries((part ?? {}) as Record<string, unknown>)) {
        if (name.includes('\u0000') || [value].flat().some((item) => typeof item === 'string' && item.includes('\u0000'))) {
          fields[name.replaceAll('\u0000', '\uFFFD')] = 'must not contain NUL characters (U+0000)';
        }
      }
    }
    if (Object.keys(fields).length > 0) throw validationFailed(fields, 'The address must not contain NUL characters (%00).');
  });
}
