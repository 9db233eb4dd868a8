import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { toApiError } from '../../../web/errors.ts';
import { ERROR_TEXT, FORBIDDEN_TEXT } from '../../../web/pages/error-texts.ts';
import { render } from '../../../web/pages/render.ts';
import { ManagementLayout } from './components.tsx';
import { paths } from './paths.ts';

/** The management site's error page (DOMAIN 6.1 "Error"): no technical details. */
function ErrorPage({ title, message }: { title: string; message: string }) {
  return (
    <ManagementLayout title={title} visitor={{ csrf: '', signedIn: false }}>
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <a href={paths.home}>Back to the management portal</a>
      </p>
    </ManagementLayout>
  );
}

/**
 * Errors of the management pages answer with their status and an HTML page: a form without a
 * valid CSRF token 403, failures 500 with the site's error text.
 */
export function sendErrorPage(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const answer = toApiError(error);
  if (answer.statusCode >= 500) {
    request.log.error({ err: error }, 'management page failed');
    return render(reply, <ErrorPage title="Error" message={answer.statusCode === 503 ? answer.message : ERROR_TEXT} />, answer.statusCode);
  }
  const message = answer.statusCode === 403 ? FORBIDDEN_TEXT : answer.message;
  return render(reply, <ErrorPage title={answer.statusCode === 403 ? 'Forbidden' : 'Error'} message={message} />, answer.statusCode);
}
