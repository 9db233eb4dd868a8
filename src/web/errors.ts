import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ValidationError } from '../contexts/shared/field-checks.ts';
import { DomainError } from '../platform/processing/commands.ts';
import { ConflictError, type StoreUnavailableReason, storeUnavailableReason } from '../platform/store/errors.ts';
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

/** What a 503 says when the store cannot take the request (API.md: "the store cannot be written"). */
export const STORE_UNAVAILABLE_MESSAGES: Record<StoreUnavailableReason, string> = {
  full: 'The store is full: changes cannot be saved right now. Please try again later.',
  'read-only': 'The store is read-only: changes cannot be saved right now. Please try again later.',
  unreachable: 'The store cannot be reached right now. Please try again later.',
};

/**
 * Turns any error (ours, the contexts' refusals, Fastify's, a bug) into an {@link ApiError}; a store
 * that is full, read-only or unreachable becomes 503 `unavailable`; unknown ones become 500 `internal`.
 */
export function toApiError(error: FastifyError | ApiError | Error): ApiError {
  if (error instanceof ApiError) return error;
  const storeDown = storeUnavailableReason(error);
  if (storeDown) return unavailable(STORE_UNAVAILABLE_MESSAGES[storeDown]);
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

/**
 * Fastify option `clientErrorHandler`: requests Node.js's HTTP parser refuses before Fastify sees
 * them (headers over its 16 KiB limit, malformed requests, timeouts) answer with {@link ErrorBody}
 * too, and the connection closes.
 */
export function clientErrors(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'The request headers are too large.']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request took too long to arrive.']
        : [400, 'The request is not valid HTTP.'];
  const body = JSON.stringify({ error: { code: codeOf(status), message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Route `response` entries documenting error answers, e.g. `...errorResponses(400, 401)`. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorBody]));
}
