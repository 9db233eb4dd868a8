import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import { conferenceRoutes } from './conference-routes.tsx';
import { entryRoutes } from './entry-routes.tsx';
import { sendErrorPage } from './error-page.tsx';
import { type ManagementSiteOptions, PAGE } from './options.ts';

const ASSETS = join(dirname(fileURLToPath(import.meta.url)), 'assets');

/**
 * The management site (DOMAIN 6.2), registered with the prefix `/manage`. Needs the sessions and
 * CSRF protection of `web/sessions.ts` and the assets of `web/pages/site.ts`.
 */
export function managementSite(options: ManagementSiteOptions): FastifyPluginAsync {
  return async (app) => {
    app.setErrorHandler(sendErrorPage);
    // `assets` is a reserved word, never a conference slug.
    for (const file of ['manage.css', 'dashboard.js']) {
      app.get(`/assets/${file}`, PAGE, (_request, reply) => reply.sendFile(file, ASSETS));
    }
    await app.register(entryRoutes(options));
    await app.register(conferenceRoutes(options), { prefix: '/:slug' });
  };
}
