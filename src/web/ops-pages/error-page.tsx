import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { toApiError } from '../errors.ts';
import { ERROR_TEXT, FORBIDDEN_TEXT } from '../pages/error-texts.ts';
import { render } from '../pages/render.ts';
import { OpsLayout } from './layout.tsx';
import { opsPaths } from './paths.ts';

/** Errors of the operator pages answer with their status and an HTML page (a form without a valid CSRF token: 403). */
export function sendOpsErrorPage(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const answer = toApiError(error);
  if (answer.statusCode >= 500) request.log.error({ err: error }, 'operator page failed');
  const message = answer.statusCode >= 500 && answer.statusCode !== 503 ? ERROR_TEXT : answer.statusCode === 403 ? FORBIDDEN_TEXT : answer.message;
  const title = answer.statusCode === 403 ? 'Forbidden' : 'Error';
  return render(
    reply,
    <OpsLayout title={title}>
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <a href={opsPaths.home}>Back to the operator pages</a>
      </p>
    </OpsLayout>,
    answer.statusCode,
  );
}
