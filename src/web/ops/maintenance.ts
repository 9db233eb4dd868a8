import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { MaintenanceSwitches } from '../../platform/maintenance/switches.ts';
import type { Processing } from '../../platform/processing/processing.ts';
import { errorResponses } from '../errors.ts';
import { OPERATOR_SECURITY } from '../operator-auth.ts';

const Switches = Type.Object({
  public: Type.Boolean({ description: 'The public site (pages and API) answers 503' }),
  management: Type.Boolean({ description: 'The management site (pages and API) answers 503' }),
  processing: Type.Boolean({ description: 'Handlers, timers and the e-mail sender take no new work; the sites still accept commands' }),
});

const MaintenanceState = Type.Object({
  ...Switches.properties,
  processingStatus: Type.Optional(
    Type.Union([Type.Literal('running'), Type.Literal('pausing'), Type.Literal('paused'), Type.Literal('stopped')], {
      description: "This process's handlers: `pausing` while they finish the messages in hand; absent where none run",
    }),
  ),
});

const SwitchChanges = Type.Partial(Switches, { additionalProperties: false });

/** `GET/POST /api/ops/maintenance` (API.md Operator, DOMAIN 7.4). */
export function maintenanceRoutes(switches: MaintenanceSwitches, processing: Processing | undefined): FastifyPluginAsyncTypebox {
  const answer = () => ({ ...switches.state, ...(processing ? { processingStatus: processing.state } : {}) });
  return async (app) => {
    app.get(
      '/maintenance',
      {
        schema: {
          tags: ['operator'],
          summary: 'The maintenance switches',
          security: OPERATOR_SECURITY,
          response: { 200: MaintenanceState, ...errorResponses(401) },
        },
      },
      async () => answer(),
    );

    app.post(
      '/maintenance',
      {
        schema: {
          tags: ['operator'],
          summary: 'Switch maintenance on or off for the public site, the management site or processing (each change logged as an operator action)',
          security: OPERATOR_SECURITY,
          body: SwitchChanges,
          response: { 200: MaintenanceState, ...errorResponses(400, 401) },
        },
      },
      async (request) => {
        const before = switches.state;
        const after = await switches.change(request.body);
        request.log.info({ operatorAction: 'maintenance', before, after }, 'maintenance switches set');
        return answer();
      },
    );
  };
}
