import type { FastifyInstance, FastifyRequest } from 'fastify';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Logs carry correlation ids end to end: a request about an order logs under the order's id — the
 * correlation id of every message its commands start, and so of the handlers' log lines about them —
 * from its handler on, including the line that reports the answer.
 */
export function logCorrelation(app: FastifyInstance): void {
  app.addHook('preHandler', async (request, reply) => {
    const correlationId = correlationOf(request);
    if (!correlationId) return;
    const log = request.log.child({ correlationId });
    request.log = log;
    reply.log = log;
  });
}

/** The order a request is about: `:orderId` in its path, or the `orderId` of a new order's body. */
function correlationOf(request: FastifyRequest): string | undefined {
  const fromPath = (request.params as Record<string, unknown> | undefined)?.orderId;
  const body = request.body;
  const fromBody = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>).orderId : undefined;
  const id = fromPath ?? fromBody;
  return typeof id === 'string' && UUID.test(id) ? id.toLowerCase() : undefined;
}
