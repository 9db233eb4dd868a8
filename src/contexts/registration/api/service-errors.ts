import type { FastifyError, FastifyInstance } from 'fastify';
import { ValidationError } from '../../shared/field-checks.ts';
import { notFound, sendError, validationFailed } from '../../../web/errors.ts';
import { NotFoundError } from '../service/errors.ts';

/**
 * The registrant service's `NotFoundError` answers 404 with its message; every other error goes on
 * to the server's error handler (DomainError → 409, ValidationError → 400, …).
 */
export function answerServiceErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, _request, reply) => {
    if (error instanceof NotFoundError) return sendError(reply, notFound(error.message));
    throw error;
  });
}

/** Runs a service call whose field errors belong under `prefix` of the request body (e.g. `registrant.`). */
export async function withFieldPrefix<T>(prefix: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw validationFailed(Object.fromEntries(Object.entries(error.fields).map(([field, message]) => [`${prefix}${field}`, message])));
  }
}
