import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Store } from '../platform/store/store.ts';
import { ErrorBody, unavailable } from './errors.ts';

const Status = Type.Object({ status: Type.Literal('ok') });

/** How long readiness waits for the store before answering 503. */
const PING_TIMEOUT_MS = 2000;

/** `GET /health` (the process runs) and `GET /health/ready` (the store answers). */
export function healthRoutes(store: Store): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/health',
      { schema: { tags: ['health'], summary: 'Liveness: the process runs', response: { 200: Status } } },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/health/ready',
      {
        schema: {
          tags: ['health'],
          summary: 'Readiness: the store answers',
          response: { 200: Status, 503: ErrorBody },
        },
      },
      async (request) => {
        try {
          await withTimeout(store.ping(), PING_TIMEOUT_MS);
        } catch (error) {
          request.log.warn({ err: error }, 'store not ready');
          throw unavailable('The store does not answer.');
        }
        return { status: 'ok' as const };
      },
    );
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
