import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Store } from '../../platform/store/store.ts';
import { CredentialLimits } from '../../web/credential-limits.ts';
import { errorResponses, notFound, toApiError, validationFailed } from '../../web/errors.ts';
import { commaList } from '../../web/query.ts';
import { RateLimiter, rateLimited } from '../../web/rate-limiter.ts';
import type { Checked } from '../shared/field-checks.ts';
import {
  ConferenceChange,
  ConferenceView,
  NewConferenceBody,
  NewSeatTypeBody,
  ORDER_STATUSES,
  OrdersPage,
  OrdersQuery,
  SeatTypeChange,
  SeatTypeParams,
  SeatTypeView,
  SlugParams,
  Stats,
  conferenceView,
  seatTypeView,
} from './api-shapes.ts';
import { Conferences } from './conferences.ts';
import { conferenceCreations } from './creation-limit.ts';
import { OWNER_SECURITY, ownerAuth } from './owner-auth.ts';
import { salesTotals } from './pages/dashboard-data.ts';
import { managementOrders, parseCursor, salesOverTime } from './projections/queries.ts';
import type { ManagementOrderStatus } from './projections/schema.ts';
import { type Conference, seatTypesWithFigures } from './records.ts';
import { checkConferenceEdit, checkNewConference, checkNewSeatType, checkSeatTypeEdit } from './rules.ts';
import { SeatTypes } from './seat-types.ts';

export interface ManagementApiOptions {
  store: Store;
  /** PUBLIC_URL, for the links in e-mails. */
  publicUrl: string;
  /** Conferences one client IP may create per hour; 0 = no limit. */
  conferenceCreationLimit: number;
}

const NO_SUCH_SEAT_TYPE = 'This conference has no such seat type.';

const tags = ['management'];
const owner = (summary: string) => ({ tags, summary, security: OWNER_SECURITY });

/**
 * The management JSON API (API.md Management) under `/api/management/conferences` (register with
 * that prefix). Creating needs no credentials and is limited per client IP and hour; everything
 * under `/{slug}` needs the owner's HTTP Basic credentials.
 */
export function managementApi(options: ManagementApiOptions): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { store } = options;
    const conferences = new Conferences({ store, publicUrl: options.publicUrl });
    const seatTypes = new SeatTypes({ store });
    const limiter = new RateLimiter(store);
    const auth = ownerAuth(store, new CredentialLimits(limiter));
    const creations = conferenceCreations(options.conferenceCreationLimit);

    /** A conference as the API answers it, with its seat types' current figures. */
    const viewOf = async (conference: Conference) => conferenceView(conference, await seatTypesWithFigures(store.db, conference.id));

    app.post(
      '/',
      {
        prefixTrailingSlash: 'no-slash',
        attachValidation: true,
        schema: {
          tags,
          summary: 'Create a conference (unpublished); the access code is also e-mailed to the owner',
          body: NewConferenceBody,
          response: { 201: ConferenceView, ...errorResponses(400, 409, 429) },
        },
      },
      async (request, reply) => {
        const limited = creations.max > 0;
        if (limited) {
          const wait = await limiter.retryAfter([[creations, request.ip]]);
          if (wait > 0) throw rateLimited(reply, wait);
        }
        const conference = await conferences.create(bodyOf(request, checkNewConference));
        if (limited) await limiter.hit([[creations, request.ip]]);
        return reply.code(201).send(await viewOf(conference));
      },
    );

    await app.register(async (scope) => {
      const routes = scope.withTypeProvider<TypeBoxTypeProvider>();
      routes.addHook('onRequest', auth.onRequest);
      const authErrors = (...statuses: number[]) => errorResponses(401, 429, ...statuses);

      routes.get(
        '/:slug',
        { schema: { ...owner('A conference with its seat types'), params: SlugParams, response: { 200: ConferenceView, ...authErrors() } } },
        async (request) => viewOf(auth.conferenceOf(request)),
      );

      routes.patch(
        '/:slug',
        {
          attachValidation: true,
          schema: { ...owner('Edit a conference'), params: SlugParams, body: ConferenceChange, response: { 200: ConferenceView, ...authErrors(400) } },
        },
        async (request) => {
          const current = auth.conferenceOf(request);
          const change = bodyOf(request, (body) => checkConferenceEdit(body, current));
          return viewOf(await conferences.update(current.id, change));
        },
      );

      routes.post(
        '/:slug/publish',
        { schema: { ...owner('Publish a conference (no-op when published)'), params: SlugParams, response: { 200: ConferenceView, ...authErrors(409) } } },
        async (request) => viewOf(await conferences.publish(auth.conferenceOf(request).id)),
      );

      routes.post(
        '/:slug/unpublish',
        { schema: { ...owner('Unpublish a conference (no-op when not published)'), params: SlugParams, response: { 200: ConferenceView, ...authErrors() } } },
        async (request) => viewOf(await conferences.unpublish(auth.conferenceOf(request).id)),
      );

      routes.post(
        '/:slug/seat-types',
        {
          attachValidation: true,
          schema: { ...owner('Add a seat type'), params: SlugParams, body: NewSeatTypeBody, response: { 201: SeatTypeView, ...authErrors(400) } },
        },
        async (request, reply) => {
          const conference = auth.conferenceOf(request);
          const seatType = await seatTypes.add(conference.id, bodyOf(request, checkNewSeatType));
          const [view] = await seatTypesWithFigures(store.db, conference.id, seatType.id);
          return reply.code(201).send(seatTypeView(view));
        },
      );

      routes.patch(
        '/:slug/seat-types/:id',
        {
          attachValidation: true,
          schema: { ...owner('Change a seat type'), params: SeatTypeParams, body: SeatTypeChange, response: { 200: SeatTypeView, ...authErrors(400, 404, 409) } },
        },
        async (request) => {
          const conference = auth.conferenceOf(request);
          const changed = await seatTypes.change(conference.id, request.params.id, bodyOf(request, checkSeatTypeEdit));
          if (!changed) throw notFound(NO_SUCH_SEAT_TYPE);
          const [view] = await seatTypesWithFigures(store.db, conference.id, changed.id);
          return seatTypeView(view);
        },
      );

      routes.delete(
        '/:slug/seat-types/:id',
        {
          schema: {
            ...owner('Delete a seat type of a conference that was never published'),
            params: SeatTypeParams,
            response: { 204: Type.Null({ description: 'Deleted' }), ...authErrors(400, 404, 409) },
          },
        },
        async (request, reply) => {
          if (!(await seatTypes.remove(auth.conferenceOf(request).id, request.params.id))) throw notFound(NO_SUCH_SEAT_TYPE);
          return reply.code(204).send(null);
        },
      );

      routes.get(
        '/:slug/orders',
        {
          schema: {
            ...owner('Orders and attendees, newest first'),
            params: SlugParams,
            querystring: OrdersQuery,
            response: { 200: OrdersPage, ...authErrors(400) },
          },
        },
        async (request) => {
          const statuses = commaList(request.query.status) ?? [];
          if (statuses.length === 0 || statuses.some((status) => !(ORDER_STATUSES as readonly string[]).includes(status))) {
            throw validationFailed({ status: `must be a comma-separated list of ${ORDER_STATUSES.join(', ')}` });
          }
          const after = request.query.after === undefined ? undefined : parseCursor(request.query.after);
          if (after === null) throw validationFailed({ after: 'must be the `next` of a previous answer' });
          return managementOrders(store.db, auth.conferenceOf(request).id, {
            statuses: statuses as ManagementOrderStatus[],
            limit: request.query.limit ?? 50,
            after,
          });
        },
      );

      routes.get(
        '/:slug/stats',
        { schema: { ...owner('Seats by type and sales over time'), params: SlugParams, response: { 200: Stats, ...authErrors() } } },
        async (request) => {
          const conferenceId = auth.conferenceOf(request).id;
          const figures = await seatTypesWithFigures(store.db, conferenceId);
          const sales = await salesOverTime(store.db, conferenceId);
          return {
            seatTypes: figures.map(({ id, name, quantity, sold, held, remaining, available }) => ({ id, name, quantity, sold, held, remaining, available })),
            salesOverTime: sales,
            totals: salesTotals(sales),
          };
        },
      );
    });
  };
}

/**
 * The body of a route validated with `attachValidation`: when the schema found problems (types,
 * unknown fields such as `currency`), they answer 400 together with the field rules' own
 * messages, which win for a field both name. Other parts of the request fail as usual.
 */
function bodyOf(request: FastifyRequest, rules: (body: Record<string, unknown>) => Checked<unknown>): Record<string, unknown> {
  const error = request.validationError as FastifyError | undefined;
  const body = request.body as Record<string, unknown>;
  if (!error) return body;
  const answer = toApiError(error);
  if (error.validationContext !== 'body' || typeof body !== 'object' || body === null || Array.isArray(body)) throw answer;
  const checked = rules(body);
  throw validationFailed({ ...answer.fields, ...(checked.ok ? {} : checked.errors) });
}
