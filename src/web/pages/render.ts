import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/**
 * Answers with a server-rendered page. Preact escapes every text and attribute value, so
 * user-provided data can be passed to components as it is.
 */
export function render(reply: FastifyReply, page: VNode, status = 200): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html>${renderToString(page)}`);
}

/** Route options of a page: pages are not part of the JSON API's OpenAPI document. */
export const PAGE = { schema: { hide: true } };
