import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { demoConference } from '../../app/demo-data.ts';
import { listEmails } from '../../contexts/notifications/email-log.ts';
import { EMAIL_STATUSES, type EmailStatus } from '../../contexts/notifications/schema.ts';
import type { MaintenanceSwitches } from '../../platform/maintenance/switches.ts';
import type { MessageRegistry } from '../../platform/messages/registry.ts';
import type { Processing } from '../../platform/processing/processing.ts';
import type { Store } from '../../platform/store/store.ts';
import { CredentialLimits } from '../credential-limits.ts';
import { OPERATOR_TARGET, operatorTokenCheck } from '../operator-auth.ts';
import { sendNotFoundPage } from '../pages/not-found.tsx';
import { PAGE, render } from '../pages/render.ts';
import { RateLimiter, TOO_MANY_ATTEMPTS } from '../rate-limiter.ts';
import { type EmailsQuery, EmailsPage } from './emails-page.tsx';
import { sendOpsErrorPage } from './error-page.tsx';
import { OpsHomePage } from './home-page.tsx';
import { OpsLoginPage, TOKEN_WRONG } from './login-page.tsx';
import { opsLogPages } from './log-routes.tsx';
import { maintenancePages } from './maintenance-routes.tsx';
import { opsPaths } from './paths.ts';
import { readModelPages } from './read-models-routes.tsx';
import { endOperator, grantOperator, isOperator, requireOperator } from './session.ts';

const EMAILS_PER_PAGE = 50;

/**
 * The operator pages (DOMAIN 7), registered with the prefix `/ops`: `/ops` logs in with the operator
 * token (or, logged in, is the operator's start page); every other page needs that session.
 * Needs the sessions and CSRF protection of `web/sessions.ts`.
 */
export function opsSite({ operatorToken, store, maintenance, processing, registry }: { operatorToken: string; store: Store; maintenance: MaintenanceSwitches; processing?: Processing; registry?: MessageRegistry }): FastifyPluginAsync {
  return async (app) => {
    const isOperatorToken = operatorTokenCheck(operatorToken);
    const limits = new CredentialLimits(new RateLimiter(store));
    const withCsrf = { ...PAGE, preHandler: app.csrfProtection };
    const signedIn = { ...PAGE, onRequest: requireOperator };
    app.setErrorHandler(sendOpsErrorPage);
    await app.register(maintenancePages({ maintenance, processing }));
    await app.register(opsLogPages({ store, registry }));
    await app.register(readModelPages({ store, registry }));

    app.get('/', PAGE, async (request, reply) => {
      const csrf = reply.generateCsrf();
      if (!isOperator(request)) return render(reply, <OpsLoginPage csrf={csrf} />);
      return render(reply, <OpsHomePage csrf={csrf} demo={await demoConference(store.db)} />);
    });

    app.post('/', withCsrf, async (request, reply) => {
      const again = (status: number, message: string) => render(reply, <OpsLoginPage csrf={reply.generateCsrf()} message={message} />, status);
      const wait = await limits.retryAfter(request.ip, OPERATOR_TARGET);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        return again(429, TOO_MANY_ATTEMPTS);
      }
      if (!isOperatorToken(formToken(request))) {
        await limits.failed(request.ip, OPERATOR_TARGET);
        return again(401, TOKEN_WRONG);
      }
      grantOperator(request);
      return reply.redirect(opsPaths.home, 303);
    });

    app.post('/logout', withCsrf, (request, reply) => {
      endOperator(request);
      return reply.redirect(opsPaths.home, 303);
    });

    app.get('/emails', signedIn, async (request, reply) => {
      const query = emailsQuery(request);
      const page = await listEmails(store.db, {
        recipients: query.to === '' ? undefined : [query.to],
        statuses: query.status === '' ? undefined : [query.status],
        after: queryText(request, 'after') || undefined,
        limit: EMAILS_PER_PAGE,
      });
      if (!page) return sendNotFoundPage(reply, 'That page of e-mails does not exist.');
      return render(reply, <EmailsPage csrf={reply.generateCsrf()} query={query} emails={page.emails} next={page.next} />);
    });
  };
}

function formToken(request: FastifyRequest): string {
  const token = (request.body as Record<string, unknown> | undefined)?.token;
  return typeof token === 'string' ? token : '';
}

/** A query-string value; missing or repeated reads as empty. */
function queryText(request: FastifyRequest, name: string): string {
  const value = (request.query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value.trim() : '';
}

function emailsQuery(request: FastifyRequest): EmailsQuery {
  const status = queryText(request, 'status');
  return { to: queryText(request, 'to'), status: isEmailStatus(status) ? status : '' };
}

const isEmailStatus = (text: string): text is EmailStatus => (EMAIL_STATUSES as readonly string[]).includes(text);
