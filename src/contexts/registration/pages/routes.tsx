import type { FastifyPluginAsync } from 'fastify';
import type { Store } from '../../../platform/store/store.ts';
import { render } from '../../../web/pages/render.ts';
import { isReservedSlug } from '../../../web/reserved-slugs.ts';
import { Catalogue } from '../catalogue/queries.ts';
import { ConferencePage } from './conference-page.tsx';
import { pageConference } from './conference-scope.ts';
import { HomePage } from './home-page.tsx';

/** Page routes are not part of the JSON API's OpenAPI document. */
const page = { schema: { hide: true } };

/** The public site's pages (DOMAIN 6.1): home and the conference page. */
export function publicSite({ store }: { store: Store }): FastifyPluginAsync {
  const catalogue = new Catalogue(store);
  return async (app) => {
    app.get('/', page, async (_request, reply) => render(reply, <HomePage conferences={await catalogue.publishedConferences()} />));

    // `/{slug}` as typed by hand: the conference page is `/{slug}/`.
    app.get<{ Params: { slug: string } }>('/:slug', page, async (request, reply) => {
      const { slug } = request.params;
      const conference = isReservedSlug(slug) ? undefined : await catalogue.publishedConference(slug);
      if (!conference) return reply.callNotFound();
      return reply.redirect(`/${encodeURIComponent(conference.slug)}/`, 301);
    });

    app.get<{ Params: { slug: string } }>('/:slug/', page, async (request, reply) => {
      const conference = await pageConference(catalogue, request, reply);
      if (!conference) return reply;
      return render(reply, <ConferencePage conference={conference} seatTypes={await catalogue.seatTypes(conference.id)} />);
    });
  };
}
