import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { MessageRegistry } from '../../../platform/messages/registry.ts';
import type { Processing } from '../../../platform/processing/processing.ts';
import { HandlerProgress } from '../../../platform/processing/progress.ts';
import type { Store } from '../../../platform/store/store.ts';
import { errorResponses, notFound } from '../../../web/errors.ts';
import { ReadModelWaitQuery, STALE_DESCRIPTION, awaitReadModel } from '../../../web/read-model-wait.ts';
import { catalogueProjection } from '../catalogue/projection.ts';
import { Catalogue } from '../catalogue/queries.ts';

const CalendarDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
const OptionalText = Type.Union([Type.String(), Type.Null()]);

const ConferenceListItem = Type.Object({
  slug: Type.String(),
  name: Type.String(),
  tagline: OptionalText,
  location: Type.String(),
  startDate: CalendarDate,
  endDate: CalendarDate,
});

const SeatTypeOffer = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  description: Type.String(),
  price: Type.Integer({ minimum: 0, description: 'Cents' }),
  available: Type.Integer({
    minimum: 0,
    description: 'Seats still on sale, never negative; the quota until seat availability is known',
  }),
});

const ConferenceView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  slug: Type.String({ description: 'As stored' }),
  name: Type.String(),
  description: Type.String(),
  tagline: OptionalText,
  location: Type.String(),
  twitterSearch: OptionalText,
  startDate: CalendarDate,
  endDate: CalendarDate,
  currency: Type.Literal('USD'),
  seatTypes: Type.Array(SeatTypeOffer, { description: 'In creation order' }),
});

const WaitQuery = Type.Object(ReadModelWaitQuery, { additionalProperties: false });

export interface ConferenceApiOptions {
  store: Store;
  registry: MessageRegistry;
  /** The handlers this process runs, if any: waits then follow the projection in memory. */
  processing?: Processing;
}

/** The public conference catalogue (API.md Public): published conferences only. */
export function conferenceApi({ store, registry, processing }: ConferenceApiOptions): FastifyPluginAsyncTypebox {
  const catalogue = new Catalogue(store);
  const progress = new HandlerProgress(store, registry, processing);
  return async (app) => {
    app.get(
      '/api/conferences',
      {
        schema: {
          tags: ['public'],
          summary: 'List the published conferences',
          description: `By start date, then name. ${STALE_DESCRIPTION}`,
          querystring: WaitQuery,
          response: { 200: Type.Array(ConferenceListItem), ...errorResponses(400) },
        },
      },
      async (request, reply) => {
        await awaitReadModel(progress, catalogueProjection, request.query, reply);
        return (await catalogue.publishedConferences()).map(({ id: _id, ...listed }) => listed);
      },
    );

    app.get(
      '/api/conferences/:slug',
      {
        schema: {
          tags: ['public'],
          summary: 'A published conference with its seat types',
          description: `The slug matches in any case. Unknown and unpublished conferences answer 404. ${STALE_DESCRIPTION}`,
          params: Type.Object({ slug: Type.String({ minLength: 1, maxLength: 200 }) }),
          querystring: WaitQuery,
          response: { 200: ConferenceView, ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        await awaitReadModel(progress, catalogueProjection, request.query, reply);
        const conference = await catalogue.publishedConference(request.params.slug);
        if (!conference) throw notFound('Conference not found.');
        return { ...conference, currency: 'USD' as const, seatTypes: await catalogue.seatTypes(conference.id) };
      },
    );
  };
}
