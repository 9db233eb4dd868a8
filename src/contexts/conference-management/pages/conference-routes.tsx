import type { FastifyPluginAsync } from 'fastify';
import { DomainError } from '../../../platform/processing/commands.ts';
import { render } from '../../../web/pages/render.ts';
import { ValidationError } from '../../shared/field-checks.ts';
import { Conferences } from '../conferences.ts';
import { managementOrders, parseCursor, salesOverTime } from '../projections/queries.ts';
import { seatTypesWithFigures } from '../records.ts';
import { DETAIL_FIELDS, detailInput, detailValues } from './conference-form.tsx';
import { DashboardPage } from './dashboard-page.tsx';
import { DetailsPage } from './details-page.tsx';
import { EditPage } from './edit-page.tsx';
import { formTexts } from './forms.ts';
import { type ManagementSiteOptions, PAGE } from './options.ts';
import { OrdersPage } from './orders-page.tsx';
import { paths } from './paths.ts';
import { seatRoutes } from './seat-routes.tsx';
import { conferenceAccess } from './session.ts';

/**
 * The pages of one conference, under `/manage/{slug}` (register with that prefix). Only a session
 * holding the conference opens them (`conferenceAccess`).
 */
export function conferenceRoutes({ store, publicUrl }: ManagementSiteOptions): FastifyPluginAsync {
  return async (app) => {
    const conferences = new Conferences({ store, publicUrl });
    const access = conferenceAccess(store);
    app.addHook('onRequest', access.onRequest);
    const withCsrf = { ...PAGE, preHandler: app.csrfProtection };

    app.get('/', PAGE, (request, reply) => render(reply, <DetailsPage conference={access.conferenceOf(request)} csrf={reply.generateCsrf()} />));

    app.post('/publish', withCsrf, async (request, reply) => {
      const conference = access.conferenceOf(request);
      try {
        await conferences.publish(conference.id);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return render(reply, <DetailsPage conference={conference} csrf={reply.generateCsrf()} message={error.message} />, 409);
      }
      return reply.redirect(paths.conference(conference.slug).details, 303);
    });

    app.post('/unpublish', withCsrf, async (request, reply) => {
      const conference = access.conferenceOf(request);
      await conferences.unpublish(conference.id);
      return reply.redirect(paths.conference(conference.slug).details, 303);
    });

    app.get('/edit', PAGE, (request, reply) => {
      const conference = access.conferenceOf(request);
      return render(reply, <EditPage conference={conference} csrf={reply.generateCsrf()} values={detailValues(conference)} />);
    });

    app.post('/edit', withCsrf, async (request, reply) => {
      const conference = access.conferenceOf(request);
      const values = formTexts(request.body, DETAIL_FIELDS);
      try {
        await conferences.update(conference.id, detailInput(values));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return render(reply, <EditPage conference={conference} csrf={reply.generateCsrf()} values={values} errors={error.fields} />, 422);
      }
      return reply.redirect(paths.conference(conference.slug).details, 303);
    });

    app.get<{ Querystring: { expired?: string; after?: string } }>('/orders', PAGE, async (request, reply) => {
      const conference = access.conferenceOf(request);
      const showExpired = request.query.expired === '1';
      const { orders, next } = await managementOrders(store.db, conference.id, {
        statuses: showExpired ? ['pending', 'paid', 'expired'] : ['pending', 'paid'],
        limit: 50,
        after: parseCursor(request.query.after ?? '') ?? undefined,
      });
      return render(reply, <OrdersPage conference={conference} csrf={reply.generateCsrf()} orders={orders} next={next} showExpired={showExpired} />);
    });

    app.get('/dashboard', PAGE, async (request, reply) => {
      const conference = access.conferenceOf(request);
      const seatTypes = await seatTypesWithFigures(store.db, conference.id);
      const sales = await salesOverTime(store.db, conference.id);
      return render(reply, <DashboardPage conference={conference} csrf={reply.generateCsrf()} seatTypes={seatTypes} sales={sales} />);
    });

    await app.register(seatRoutes(store, access));
  };
}
