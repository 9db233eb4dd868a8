import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ValidationError } from '../contexts/shared/field-checks.ts';
import { DomainError } from '../platform/processing/commands.ts';
import { ConflictError } from '../platform/store/errors.ts';
import { validationFields } from './validation.ts';

/** API.md's error body: `{"error": {"code", "message", "fields"?}}`. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      fields: Type.Optional(Type.Record(Type.String(), Type.String())),
    }),
  },
  { description: 'Every error answer' },
);

export type FieldErrors = Record<string, string>;

/** An answer other than success, thrown from anywhere in a request. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldErrors,
  ) {
    super(message);
  }
}

export const validationFailed = (fields: FieldErrors, message = 'The request is invalid.') =>
  new ApiError(400, 'validation_failed', message, fields);
export const unauthorized = (message = 'Credentials are missing or wrong.') => new ApiError(401, 'unauthorized', message);
export const notFound = (message = 'Not found.') => new ApiError(404, 'not_found', message);
export const conflict = (message: string) => new ApiError(409, 'conflict', message);
export const unavailable = (message = 'The service is unavailable.') => new ApiError(503, 'unavailable', message);

/** Error codes of the statuses API.md names; others are derived from the status text. */
const CODES: Record<number, string> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'unavailable',
};

function codeOf(status: number): string {
  return CODES[status] ?? (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/[^a-z]+/g, '_');
}

/**
 * Turns any error (ours, the contexts' refusals, Fastify's, a bug) into an {@link ApiError}; unknown
 * ones become 500 `internal`.
 */
export function toApiError(error: FastifyError | ApiError | Error): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ValidationError) return validationFailed(error.fields);
  if (error instanceof DomainError || error instanceof ConflictError) return conflict(error.message);
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return validationFailed(validationFields(fastifyError.validation, fastifyError.validationContext));
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    const message = MESSAGES[fastifyError.code] ?? (STATUS_CODES[status] ? `${STATUS_CODES[status]}.` : 'Bad request.');
    return new ApiError(status, codeOf(status), message);
  }
  if (status === 503) return unavailable();
  return new ApiError(500, 'internal', 'An unexpected error occurred.');
}

/** Messages for Fastify's own client errors (its texts name internals). */
const MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'The body is larger than 64 KiB.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Send the body as JSON (content-type: application/json).',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The body is not valid JSON.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The body is empty; send a JSON value.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The content-length does not match the body.',
  FST_ERR_BAD_URL: 'The URL is malformed.',
};

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  const body = { error: { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) } };
  return reply.code(error.statusCode).type('application/json; charset=utf-8').send(body);
}

/** Every error of every route, and Fastify's framework errors, answer with {@link ErrorBody}. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const answer = toApiError(error);
    if (answer.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    return sendError(reply, answer);
  });
}

/** Fastify option `frameworkErrors`: errors raised before routing (malformed URL). */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  sendError(reply, toApiError(error));
}

/** Route `response` entries documenting error answers, e.g. `...errorResponses(400, 401)`. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorBody]));
}
