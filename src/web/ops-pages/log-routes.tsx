import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { MessageRegistry } from '../../platform/messages/registry.ts';
import { DeadLetters } from '../../platform/processing/dead-letters.ts';
import { Timers } from '../../platform/processing/timers.ts';
import type { Store } from '../../platform/store/store.ts';
import { PAGE, render } from '../pages/render.ts';
import { DEAD_LETTER_NOTICES, type DeadLetterNotice, DeadLettersPage } from './dead-letters-page.tsx';
import { logFilterOf, logQueryOf } from './log-filter.ts';
import { logPaths, withQuery } from './log-paths.ts';
import { MessagesPage } from './messages-page.tsx';
import { requireOperator } from './session.ts';
import { TimelinePage } from './timeline-page.tsx';
import { TimersPage } from './timers-page.tsx';

const TIMELINE_PAGE = 500;
const TIMERS_SHOWN = 500;
const REASON_MAX = 2000;

/**
 * The operator's message log, per-flow timeline, dead-letter and timer pages (DOMAIN 7.1, 7.3),
 * registered inside the `/ops` site (`routes.tsx`): every page needs the operator session, every
 * form its CSRF token. With the registry, a type filter also finds the legacy names upcast into it.
 */
export function opsLogPages({ store, registry }: { store: Store; registry?: MessageRegistry }): FastifyPluginAsync {
  return async (app) => {
    const deadLetters = new DeadLetters(store);
    const timers = new Timers(store);
    const signedIn = { ...PAGE, onRequest: requireOperator };
    const form = { ...signedIn, preHandler: app.csrfProtection };

    app.get('/messages', signedIn, async (request, reply) => {
      const query = logQueryOf(request.query);
      const { filter, errors } = logFilterOf(query, registry && ((type) => registry.storedNamesOf(type)));
      const csrf = reply.generateCsrf();
      if (errors) return render(reply, <MessagesPage csrf={csrf} query={query} errors={errors} messages={[]} next={null} />, 400);
      const page = await store.queryLog(filter);
      return render(reply, <MessagesPage csrf={csrf} query={query} messages={page.messages} next={page.next} />);
    });

    const timeline = async (reply: FastifyReply, correlationId: string, afterText: string) => {
      const after = /^\d+$/.test(afterText) ? Number(afterText) : undefined;
      const page = correlationId === '' ? { messages: [], next: null } : await store.queryLog({ correlationIds: [correlationId], after, limit: TIMELINE_PAGE });
      return render(reply, <TimelinePage csrf={reply.generateCsrf()} correlationId={correlationId} messages={page.messages} next={page.next} />);
    };
    app.get('/timeline', signedIn, (request, reply) => timeline(reply, text(request.query, 'correlationId'), text(request.query, 'after')));
    app.get<{ Params: { orderId: string } }>('/orders/:orderId/timeline', signedIn, (request, reply) =>
      timeline(reply, request.params.orderId.trim(), text(request.query, 'after')),
    );

    const deadLettersPage = async (request: FastifyRequest, reply: FastifyReply, refused?: { id: string; reason: string; message: string }) => {
      const handler = text(request.query, 'handler');
      const done = text(request.query, 'done');
      const [letters, counts] = await Promise.all([deadLetters.list({ handler: handler || undefined }), deadLetters.count()]);
      const notice = done in DEAD_LETTER_NOTICES ? (done as DeadLetterNotice) : undefined;
      const page = <DeadLettersPage csrf={reply.generateCsrf()} handler={handler} letters={letters} counts={counts} notice={notice} discardError={refused} />;
      return render(reply, page, refused ? 400 : 200);
    };
    /** Back to the list, telling what was done (nothing: no notice). */
    const backToList = (request: FastifyRequest, reply: FastifyReply, done?: DeadLetterNotice) =>
      reply.redirect(withQuery(logPaths.deadLetters, { handler: text(request.query, 'handler'), done }), 303);

    app.get('/dead-letters', signedIn, (request, reply) => deadLettersPage(request, reply));

    app.post<{ Params: { id: string } }>('/dead-letters/:id/retry', form, async (request, reply) => {
      const retried = await deadLetters.retry({ ids: [request.params.id] });
      request.log.info({ operatorAction: 'retry-dead-letter', id: request.params.id, retried }, 'dead letter retry requested');
      return backToList(request, reply, retried > 0 ? 'retried' : undefined);
    });

    app.post('/dead-letters/retry', form, async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const ids = (Array.isArray(body.ids) ? body.ids : [body.ids]).filter((id): id is string => typeof id === 'string' && id !== '');
      const handler = typeof body.handler === 'string' && body.handler !== '' ? body.handler : undefined;
      const retried = ids.length > 0 ? await deadLetters.retry({ ids }) : handler ? await deadLetters.retry({ handler }) : 0;
      request.log.info({ operatorAction: 'retry-dead-letters', ids, handler, retried }, 'dead letter retry requested');
      return backToList(request, reply, retried > 0 ? 'retried' : undefined);
    });

    app.post<{ Params: { id: string } }>('/dead-letters/:id/discard', form, async (request, reply) => {
      const { id } = request.params;
      const reason = text(request.body, 'reason');
      const refuse = (message: string) => deadLettersPage(request, reply, { id, reason, message });
      if (reason === '') return refuse('Give the reason for discarding it.');
      if (reason.length > REASON_MAX) return refuse(`Keep the reason under ${REASON_MAX} characters.`);
      if (!(await deadLetters.discard(id, reason))) return refuse('There is no such dead letter (any more).');
      request.log.info({ operatorAction: 'discard-dead-letter', id, reason }, 'dead letter discarded');
      return backToList(request, reply, 'discarded');
    });

    app.get('/timers', signedIn, async (_request, reply) => {
      const pending = await timers.list({ limit: TIMERS_SHOWN + 1 });
      const more = pending.length > TIMERS_SHOWN;
      const page = <TimersPage csrf={reply.generateCsrf()} timers={pending.slice(0, TIMERS_SHOWN)} now={new Date().toISOString()} more={more} />;
      return render(reply, page);
    });
  };
}

/** A single text value of a query string or form; missing or repeated reads as empty. */
function text(values: unknown, name: string): string {
  const value = ((values ?? {}) as Record<string, unknown>)[name];
  return typeof value === 'string' ? value.trim() : '';
}
