import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, notFound, sendError } from './errors.ts';

/**
 * The methods registered for each route pattern, to tell "unknown path" (404) from "known path,
 * other method" (405): Fastify itself answers 404 for both.
 */
export class RouteTable {
  readonly #routes = new Map<string, { pattern: RegExp; methods: Set<string> }>();

  /** Records every route registered on `app` (and its children) from now on. */
  track(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      let entry = this.#routes.get(route.url);
      if (!entry) {
        entry = { pattern: patternToRegExp(route.url), methods: new Set() };
        this.#routes.set(route.url, entry);
      }
      for (const method of methods) entry.methods.add(method.toUpperCase());
    });
  }

  /** Methods allowed on a concrete path (no query string), sorted; empty when no route matches. */
  methodsAllowed(path: string): string[] {
    const methods = new Set<string>();
    for (const { pattern, methods: registered } of this.#routes.values()) {
      if (pattern.test(path)) for (const method of registered) methods.add(method);
    }
    return [...methods].sort();
  }
}

/** find-my-way's syntax: `:param`, `:param(regex)`, `*`, and `::` for a literal colon. */
export function patternToRegExp(url: string): RegExp {
  let source = '';
  for (let i = 0; i < url.length; ) {
    const char = url[i];
    if (char === ':' && url[i + 1] === ':') {
      source += ':';
      i += 2;
    } else if (char === ':') {
      let end = i + 1;
      while (end < url.length && /[\w$]/.test(url[end])) end++;
      if (url[end] === '(') {
        const close = closingParenthesis(url, end);
        source += `(?:${url.slice(end + 1, close).replace(/^\^/, '').replace(/\$$/, '')})`;
        end = close + 1;
      } else {
        source += '[^/]+';
      }
      i = end;
    } else if (char === '*') {
      source += '.*';
      i++;
    } else {
      source += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
      i++;
    }
  }
  return new RegExp(`^${source}$`);
}

function closingParenthesis(url: string, open: number): number {
  let depth = 0;
  for (let i = open; i < url.length; i++) {
    if (url[i] === '\\') i++;
    else if (url[i] === '(') depth++;
    else if (url[i] === ')' && --depth === 0) return i;
  }
  return url.length;
}

/** The JSON 404 of a path no route serves. */
export function routeNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, notFound(`No route ${request.method} ${request.url.split('?', 1)[0]}.`));
}

/**
 * Fastify's not-found handler: 405 with `Allow` when the path is known under other methods, else
 * `answerNotFound` (by default the JSON 404). A route of the request's own method that found nothing
 * (a missing static file; `reply.callNotFound()`) is a 404 too.
 */
export function notFoundHandler(table: RouteTable, answerNotFound = routeNotFound) {
  return (request: FastifyRequest, reply: FastifyReply) => {
    const allowed = table.methodsAllowed(request.url.split('?', 1)[0]);
    if (allowed.length === 0 || allowed.includes(request.method)) return answerNotFound(request, reply);
    reply.header('allow', allowed.join(', '));
    return sendError(reply, new ApiError(405, 'method_not_allowed', `${request.method} is not allowed here; use ${allowed.join(', ')}.`));
  };
}
