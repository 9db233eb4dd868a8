import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { LoggedMessage } from '../../platform/messages/envelope.ts';
import { extraMetadata } from '../../platform/messages/envelope.ts';
import type { MessageRegistry } from '../../platform/messages/registry.ts';
import type { Store } from '../../platform/store/store.ts';
import { errorResponses } from '../errors.ts';
import { OPERATOR_SECURITY } from '../operator-auth.ts';
import { commaChoices, commaList, commaListParam as list, storedInstant } from '../query.ts';

const KINDS = ['command', 'event', 'operator-action'];
const instant = (description: string) => Type.Optional(Type.String({ format: 'date-time', description }));

const MessagesQuery = Type.Object(
  {
    kind: list(`Kinds: ${KINDS.join(', ')}`),
    type: list('Type names; each matches its stored names and the legacy names upcast into it'),
    sourceType: list('Source types'),
    sourceId: list('Source ids'),
    correlationId: list('Correlation ids'),
    after: Type.Optional(Type.Integer({ minimum: 0, description: 'Only positions after this one (the previous answer’s `next`)' })),
    from: instant('Created at or after this instant'),
    until: instant('Created before this instant'),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);

const Nullable = <T extends ReturnType<typeof Type.String | typeof Type.Integer>>(schema: T) => Type.Union([schema, Type.Null()]);

const LogEntry = Type.Object({
  position: Type.Integer(),
  messageId: Type.String(),
  kind: Type.String(),
  type: Type.String({ description: 'As stored' }),
  schemaVersion: Type.Integer(),
  sourceType: Type.String(),
  sourceId: Type.String(),
  version: Nullable(Type.Integer()),
  correlationId: Nullable(Type.String()),
  causationId: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  payload: Type.Unknown({ description: 'As stored' }),
  metadata: Type.Record(Type.String(), Type.Unknown(), { description: 'Extra metadata: Imported, Derived, target…' }),
});

const MessagesPage = Type.Object({
  messages: Type.Array(LogEntry),
  next: Type.Union([Type.Integer(), Type.Null()], { description: 'The `after` of the next page; null at the end' }),
});

function toLogEntry(message: LoggedMessage) {
  const m = message.metadata;
  return {
    position: m.position,
    messageId: m.messageId,
    kind: m.kind,
    type: message.type,
    schemaVersion: m.schemaVersion,
    sourceType: m.sourceType,
    sourceId: m.sourceId,
    version: m.version,
    correlationId: m.correlationId,
    causationId: m.causationId,
    createdAt: m.createdAt,
    payload: message.data,
    metadata: { ...extraMetadata(m), ...(m.target != null ? { target: m.target } : {}) },
  };
}

/** `GET /api/ops/messages`: the message log, filtered (API.md Operator). */
export function messageLogRoutes(store: Store, registry: MessageRegistry): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/messages',
      {
        schema: {
          tags: ['operator'],
          summary: 'Query the message log',
          description: 'Values within one parameter are OR-ed, parameters AND-ed; results in position order.',
          security: OPERATOR_SECURITY,
          querystring: MessagesQuery,
          response: { 200: MessagesPage, ...errorResponses(400, 401) },
        },
      },
      async (request) => {
        const query = request.query;
        const page = await store.queryLog({
          kinds: commaChoices('kind', query.kind, KINDS),
          types: commaList(query.type)?.flatMap((type) => registry.storedNamesOf(type)),
          sourceTypes: commaList(query.sourceType),
          sourceIds: commaList(query.sourceId),
          correlationIds: commaList(query.correlationId),
          after: query.after,
          from: storedInstant('from', query.from),
          until: storedInstant('until', query.until),
          limit: query.limit ?? 100,
        });
        return { messages: page.messages.map(toLogEntry), next: page.next };
      },
    );
  };
}
