import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import { PAGE, render } from '../../../web/pages/render.ts';
import { isReservedSlug } from '../../../web/reserved-slugs.ts';
import { type RegistrationServiceOptions, ServiceContext } from '../service/context.ts';
import { assignSeatsRoutes } from './assign-seats-routes.tsx';
import { checkoutRoutes } from './checkout-routes.tsx';
import { ConferencePage } from './conference-page.tsx';
import { pageConference } from './conference-scope.ts';
import { HomePage } from './home-page.tsx';
import { orderRoutes } from './order-routes.tsx';
import { paymentRoutes } from './payment-routes.tsx';
import { sendPublicErrorPage } from './public-error-page.tsx';
import { seatSelectionRoutes } from './seat-selection-routes.tsx';

const ASSETS = join(dirname(fileURLToPath(import.meta.url)), 'assets');

/** The public site's own stylesheet and scripts (progressive enhancement: every page works without them). */
const ASSET_FILES = ['registration.css', 'countdown.js', 'seat-selection.js', 'checkout.js'];

/**
 * The public site (DOMAIN 6.1): home, the conference page and the registrant's pages. Needs the
 * sessions and CSRF protection of `web/sessions.ts` and the assets of `web/pages/site.ts`.
 */
export function publicSite(options: RegistrationServiceOptions): FastifyPluginAsync {
  const context = new ServiceContext(options);
  const { catalogue } = context;
  return async (app) => {
    app.setErrorHandler(sendPublicErrorPage);
    // `assets` is a reserved word, never a conference slug.
    for (const file of ASSET_FILES) {
      app.get(`/assets/${file}`, PAGE, (_request, reply) => reply.sendFile(file, ASSETS));
    }

    app.get('/', PAGE, async (_request, reply) => render(reply, <HomePage conferences={await catalogue.publishedConferences()} />));

    // `/{slug}` as typed by hand: the conference page is `/{slug}/`.
    app.get<{ Params: { slug: string } }>('/:slug', PAGE, async (request, reply) => {
      const { slug } = request.params;
      const conference = isReservedSlug(slug) ? undefined : await catalogue.publishedConference(slug);
      if (!conference) return reply.callNotFound();
      return reply.redirect(`/${encodeURIComponent(conference.slug)}/`, 301);
    });

    app.get<{ Params: { slug: string } }>('/:slug/', PAGE, async (request, reply) => {
      const conference = await pageConference(catalogue, request, reply);
      if (!conference) return reply;
      return render(reply, <ConferencePage conference={conference} seatTypes={await catalogue.seatTypes(conference.id)} />);
    });

    await app.register(seatSelectionRoutes(context));
    await app.register(checkoutRoutes(context));
    await app.register(paymentRoutes(context));
    await app.register(orderRoutes(context));
    await app.register(assignSeatsRoutes(context));
  };
}
