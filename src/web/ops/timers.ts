import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Timers } from '../../platform/processing/timers.ts';
import { errorResponses } from '../errors.ts';
import { OPERATOR_SECURITY } from '../operator-auth.ts';
import { storedInstant } from '../query.ts';

const PendingTimer = Type.Object({
  id: Type.String(),
  type: Type.String({ description: 'The command sent when due' }),
  targetId: Type.String(),
  dueAt: Type.String({ format: 'date-time' }),
});

/** `GET /api/ops/timers`: pending durable timers, earliest first. */
export function timerRoutes(timers: Timers): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/timers',
      {
        schema: {
          tags: ['operator'],
          summary: 'List pending durable timers, earliest first',
          security: OPERATOR_SECURITY,
          querystring: Type.Object(
            {
              dueBefore: Type.Optional(Type.String({ format: 'date-time', description: 'Only timers due before this instant' })),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Array(PendingTimer), ...errorResponses(400, 401) },
        },
      },
      async (request) =>
        timers.list({ dueBefore: storedInstant('dueBefore', request.query.dueBefore), limit: request.query.limit ?? 100 }),
    );
  };
}
