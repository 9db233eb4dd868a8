import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DeadLetters } from '../../platform/processing/dead-letters.ts';
import { errorResponses, notFound, validationFailed } from '../errors.ts';
import { OPERATOR_SECURITY } from '../operator-auth.ts';

const Id = Type.String({ minLength: 1, maxLength: 200 });
const IdParams = Type.Object({ id: Id });

const DeadLetter = Type.Object({
  id: Type.String(),
  handler: Type.String(),
  messageId: Type.String(),
  position: Type.Integer(),
  type: Type.String(),
  error: Type.String(),
  attempts: Type.Integer(),
  firstFailedAt: Type.String({ format: 'date-time' }),
  lastFailedAt: Type.String({ format: 'date-time' }),
  waitingBehind: Type.Integer({ description: 'Messages of the same source parked behind this one' }),
});

const Retried = Type.Object({ retried: Type.Integer({ description: 'Dead letters that will be delivered again' }) });

const RetrySelection = Type.Object(
  {
    ids: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 1000 })),
    handler: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Alone: every dead letter of this handler' })),
  },
  { additionalProperties: false },
);

const operator = (summary: string) => ({ tags: ['operator'], summary, security: OPERATOR_SECURITY });

/** The dead-letter lists (API.md Operator, DOMAIN 7.3): inspect, retry, discard. */
export function deadLetterRoutes(deadLetters: DeadLetters): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/dead-letters',
      {
        schema: {
          ...operator('List dead letters'),
          querystring: Type.Object({ handler: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false }),
          response: { 200: Type.Array(DeadLetter), ...errorResponses(400, 401) },
        },
      },
      async (request) => deadLetters.list({ handler: request.query.handler }),
    );

    app.post(
      '/dead-letters/:id/retry',
      {
        schema: {
          ...operator('Deliver one dead letter again to its handler'),
          params: IdParams,
          response: { 202: Retried, ...errorResponses(401, 404) },
        },
      },
      async (request, reply) => {
        const retried = await deadLetters.retry({ ids: [request.params.id] });
        if (retried === 0) throw notFound('No such dead letter.');
        request.log.info({ operatorAction: 'retry-dead-letter', id: request.params.id }, 'dead letter retry requested');
        return reply.code(202).send({ retried });
      },
    );

    app.post(
      '/dead-letters/retry',
      {
        schema: {
          ...operator('Retry a selection of dead letters, or all of one handler'),
          body: RetrySelection,
          response: { 202: Retried, ...errorResponses(400, 401) },
        },
      },
      async (request, reply) => {
        const { ids, handler } = request.body;
        if (ids === undefined && handler === undefined) {
          throw validationFailed({ ids: 'give ids or handler', handler: 'give ids or handler' }, 'Say which dead letters to retry.');
        }
        const retried = await deadLetters.retry({ ids, handler });
        request.log.info({ operatorAction: 'retry-dead-letters', ids, handler, retried }, 'dead letter retry requested');
        return reply.code(202).send({ retried });
      },
    );

    app.post(
      '/dead-letters/:id/discard',
      {
        schema: {
          ...operator('Discard a dead letter for good (logged as an operator action)'),
          params: IdParams,
          body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000, description: 'Why; required, not blank' }) }),
          response: { 200: Type.Object({ id: Type.String(), discarded: Type.Literal(true) }), ...errorResponses(400, 401, 404) },
        },
      },
      async (request) => {
        const reason = request.body.reason.trim();
        if (reason === '') throw validationFailed({ reason: 'must not be blank' });
        if (!(await deadLetters.discard(request.params.id, reason))) throw notFound('No such dead letter.');
        request.log.info({ operatorAction: 'discard-dead-letter', id: request.params.id, reason }, 'dead letter discarded');
        return { id: request.params.id, discarded: true as const };
      },
    );
  };
}
