import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { SWITCH_NAMES, type MaintenanceSwitches, type SwitchName } from '../../platform/maintenance/switches.ts';
import type { Processing } from '../../platform/processing/processing.ts';
import { validationFailed } from '../errors.ts';
import { PAGE, render } from '../pages/render.ts';
import { MAINTENANCE_PAGE_PATH, MaintenanceSwitchesPage } from './maintenance-page.tsx';
import { requireOperator } from './session.ts';

export interface MaintenancePagesOptions {
  maintenance: MaintenanceSwitches;
  processing?: Processing;
}

/**
 * `/ops/maintenance` (DOMAIN 7.4): the switches, and a form per switch (operator session and CSRF
 * token). Registered inside the operator pages (prefix `/ops`).
 */
export function maintenancePages({ maintenance, processing }: MaintenancePagesOptions): FastifyPluginAsync {
  return async (app) => {
    const signedIn = { ...PAGE, onRequest: requireOperator };

    app.get('/maintenance', signedIn, async (_request, reply) =>
      render(reply, <MaintenanceSwitchesPage csrf={reply.generateCsrf()} state={maintenance.state} processing={processing?.state} />),
    );

    app.post('/maintenance', { ...signedIn, preHandler: app.csrfProtection }, async (request, reply) => {
      const { name, enabled } = switchChange(request);
      const before = maintenance.state;
      const after = await maintenance.change({ [name]: enabled });
      request.log.info({ operatorAction: 'maintenance', before, after }, 'maintenance switches set');
      return reply.redirect(MAINTENANCE_PAGE_PATH, 303);
    });
  };
}

function switchChange(request: FastifyRequest): { name: SwitchName; enabled: boolean } {
  const form = (request.body ?? {}) as Record<string, unknown>;
  const name = SWITCH_NAMES.find((known) => known === form.switch);
  const enabled = form.enabled === 'on' ? true : form.enabled === 'off' ? false : undefined;
  if (name === undefined || enabled === undefined) {
    throw validationFailed({ switch: 'public, management or processing', enabled: 'on or off' }, 'Say which switch to turn on or off.');
  }
  return { name, enabled };
}
