import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { toApiError } from '../../../web/errors.ts';
import { ERROR_TEXT, FORBIDDEN_TEXT } from '../../../web/pages/error-texts.ts';
import { render } from '../../../web/pages/render.ts';
import { PublicLayout } from './public-layout.tsx';

/** The public site's error page (DOMAIN 6.1 "Error"): no technical details. */
export function PublicErrorPage({ title, message }: { title: string; message: string }) {
  return (
    <PublicLayout title={title}>
      <h1>{title}</h1>
      <p>{message}</p>
    </PublicLayout>
  );
}

/**
 * Errors of the public pages answer with their status and an HTML page: a form without a valid
 * CSRF token 403, failures 500 with the site's error text.
 */
export function sendPublicErrorPage(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const answer = toApiError(error);
  if (answer.statusCode >= 500) {
    request.log.error({ err: error }, 'public page failed');
    // A 503 says what is wrong (maintenance, a store that cannot be written) and that it passes.
    return render(reply, <PublicErrorPage title="Error" message={answer.statusCode === 503 ? answer.message : ERROR_TEXT} />, answer.statusCode);
  }
  const forbidden = answer.statusCode === 403;
  return render(reply, <PublicErrorPage title={forbidden ? 'Forbidden' : 'Error'} message={forbidden ? FORBIDDEN_TEXT : answer.message} />, answer.statusCode);
}
