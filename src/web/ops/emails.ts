import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listEmails } from '../../contexts/notifications/email-log.ts';
import { EMAIL_STATUSES } from '../../contexts/notifications/schema.ts';
import { MAX_DELIVERY_ATTEMPTS } from '../../contexts/notifications/sender.ts';
import type { Store } from '../../platform/store/store.ts';
import { errorResponses, validationFailed } from '../errors.ts';
import { OPERATOR_SECURITY } from '../operator-auth.ts';
import { commaChoices, commaList, commaListParam } from '../query.ts';

/** The response header naming the next page's `after`; absent on the last page. */
export const NEXT_AFTER_HEADER = 'x-next-after';

const EmailsQuery = Type.Object(
  {
    to: commaListParam('Recipient e-mail addresses, matched in any case'),
    trigger: commaListParam('Trigger ids: the message or request that caused the e-mail'),
    status: commaListParam(`Statuses: ${EMAIL_STATUSES.join(', ')}`),
    after: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: `Only e-mails recorded before this one (the previous answer’s \`${NEXT_AFTER_HEADER}\` header)`,
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);

const Instant = Type.String({ format: 'date-time' });
const OrNull = <T extends typeof Instant>(schema: T) => Type.Union([schema, Type.Null()]);

const Email = Type.Object({
  id: Type.String({ description: 'Also the Message-ID of the sent e-mail: <id@contoso-conference>' }),
  to: Type.String({ description: 'The recipient' }),
  trigger: Type.String({ description: 'The message or request that caused it; one e-mail per trigger and recipient' }),
  subject: Type.String(),
  body: Type.String({ description: 'Plain text' }),
  status: Type.Enum(EMAIL_STATUSES),
  attempts: Type.Integer({ description: 'Failed delivery attempts' }),
  lastError: OrNull(Type.String({ description: 'Why the latest failed attempt failed' })),
  createdAt: Instant,
  nextAttemptAt: OrNull(Type.String({ format: 'date-time', description: 'When the sender tries (again); null unless queued' })),
  sentAt: OrNull(Instant),
});

const EmailsPage = Type.Array(Email, {
  description: `One page of e-mails, newest first; header \`${NEXT_AFTER_HEADER}\` gives the next page's \`after\``,
  // Read by @fastify/swagger: documents the response header.
  headers: {
    [NEXT_AFTER_HEADER]: Type.String({ description: 'The `after` of the next page; absent on the last page' }),
  },
});

/**
 * `GET /api/ops/emails`: every recorded e-mail and its delivery (DOMAIN 3.4), newest first, as a
 * plain array (API.md); the next page's `after` goes in header `x-next-after`.
 */
export function emailRoutes(store: Store): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/emails',
      {
        schema: {
          tags: ['operator'],
          summary: 'List recorded e-mails and their delivery, newest first',
          description:
            'Newest first (by recording time, then id). Values within one parameter are OR-ed, parameters AND-ed. ' +
            `Paged by \`limit\` (default 100): while more e-mails follow, response header \`${NEXT_AFTER_HEADER}\` holds the id ` +
            'to pass as `after` for the next page (same filters); on the last page it is absent. ' +
            `A failed delivery attempt is retried with back-off; after ${MAX_DELIVERY_ATTEMPTS} the e-mail is \`failed\`.`,
          security: OPERATOR_SECURITY,
          querystring: EmailsQuery,
          response: { 200: EmailsPage, ...errorResponses(400, 401) },
        },
      },
      async (request, reply) => {
        const query = request.query;
        const page = await listEmails(store.db, {
          recipients: commaList(query.to),
          triggerIds: commaList(query.trigger),
          statuses: commaChoices('status', query.status, EMAIL_STATUSES),
          after: query.after,
          limit: query.limit ?? 100,
        });
        if (!page) throw validationFailed({ after: 'must be the id of a recorded e-mail' });
        if (page.next !== null) reply.header(NEXT_AFTER_HEADER, page.next);
        return page.emails;
      },
    );
  };
}
