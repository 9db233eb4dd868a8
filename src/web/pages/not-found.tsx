import type { FastifyReply, FastifyRequest } from 'fastify';
import { Layout } from './layout.tsx';
import { render } from './render.ts';

export function NotFoundPage({ message }: { message: string }) {
  return (
    <Layout title="Not found" nav={<a href="/">Home</a>}>
      <h1>Not found</h1>
      <p>{message}</p>
    </Layout>
  );
}

/** The HTML 404 page. */
export function sendNotFoundPage(reply: FastifyReply, message = 'The page you asked for does not exist.'): FastifyReply {
  return render(reply, <NotFoundPage message={message} />, 404);
}

type NotFoundAnswer = (request: FastifyRequest, reply: FastifyReply) => FastifyReply;

/**
 * Unknown routes: a browser asking for a page gets the HTML 404 page; the JSON API (under `/api`)
 * and every other client get `otherwise` (the JSON error body).
 */
export function pageNotFound(otherwise: NotFoundAnswer): NotFoundAnswer {
  return (request, reply) => (wantsPage(request) ? sendNotFoundPage(reply) : otherwise(request, reply));
}

function wantsPage(request: FastifyRequest): boolean {
  const path = request.url.split('?', 1)[0];
  return !/^\/api(\/|$)/.test(path) && /\btext\/html\b/.test(request.headers.accept ?? '');
}
