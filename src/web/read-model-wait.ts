import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { MessageHandler } from '../platform/processing/handler.ts';
import type { HandlerProgress } from '../platform/processing/progress.ts';

/** API.md "Commands and waiting": the longest a GET may wait for its read model. */
export const MAX_WAIT_MS = 10_000;

/** Query parameters every GET on a read model accepts; spread them into its querystring schema. */
export const ReadModelWaitQuery = {
  minPosition: Type.Optional(
    Type.Integer({ minimum: 0, description: 'Answer once the read model has processed every log entry up to this position' }),
  ),
  waitMs: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: MAX_WAIT_MS,
      default: 0,
      description: 'How long to wait for `minPosition`; when it runs out the answer is what there is, with header `x-stale: true`',
    }),
  ),
};

export const STALE_DESCRIPTION = 'With `minPosition`, header `x-stale: true` says the read model had not reached it within `waitMs`.';

/**
 * Parks the request until the handler feeding the read model has reached `minPosition` (if given),
 * for at most `waitMs`; on time-out the answer goes out as it is, marked `x-stale: true`.
 */
export async function awaitReadModel(
  progress: HandlerProgress,
  handler: Pick<MessageHandler, 'name' | 'types'>,
  query: { minPosition?: number; waitMs?: number },
  reply: FastifyReply,
): Promise<void> {
  if (query.minPosition === undefined) return;
  if (!(await progress.waitFor([handler], query.minPosition, query.waitMs ?? 0))) reply.header('x-stale', 'true');
}
