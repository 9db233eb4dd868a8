import type { FastifyInstance } from 'fastify';
import type { MaintenanceSwitches } from '../../platform/maintenance/switches.ts';
import { sendError, unavailable } from '../errors.ts';
import { render } from '../pages/render.ts';
import { areaOfPath } from './areas.ts';
import { MAINTENANCE_TEXT, MaintenancePage } from './page.tsx';

/** What a client is told to wait before trying again ("come back in a few minutes"). */
const RETRY_AFTER_SECONDS = 120;

/**
 * Closes the areas whose switch is on (DOMAIN 7.4): every request of the area, pages and API, known
 * route or not, answers 503 before anything else is done with it — the maintenance page, or the
 * `unavailable` error. Reads the switches this process holds in memory: no query per request.
 * Register after the security headers, so the answer carries them too.
 */
export function closeAreasInMaintenance(app: FastifyInstance, switches: MaintenanceSwitches): void {
  app.addHook('onRequest', async (request, reply) => {
    const place = areaOfPath(request.url);
    if (!place || !switches.state[place.area]) return;
    reply.header('retry-after', String(RETRY_AFTER_SECONDS)).header('cache-control', 'no-store');
    return place.api ? sendError(reply, unavailable(MAINTENANCE_TEXT)) : render(reply, <MaintenancePage />, 503);
  });
}
