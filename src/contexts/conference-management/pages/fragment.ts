import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/** Answers an htmx request with a piece of HTML (escaped by Preact like every page), or nothing. */
export function renderFragment(reply: FastifyReply, fragment: VNode | null): FastifyReply {
  return reply.type('text/html; charset=utf-8').send(fragment ? renderToString(fragment) : '');
}
