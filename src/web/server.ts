import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import { managementApi } from '../contexts/conference-management/api.ts';
import { OWNER_SECURITY_SCHEME } from '../contexts/conference-management/owner-auth.ts';
import { managementSite } from '../contexts/conference-management/pages/routes.tsx';
import { paymentApi } from '../contexts/payments/api.ts';
import { conferenceApi } from '../contexts/registration/api/conferences.ts';
import { ACCESS_CODE_SECURITY_SCHEME } from '../contexts/registration/api/order-credentials.ts';
import { orderApi } from '../contexts/registration/api/orders.ts';
import { RegistrationService } from '../contexts/registration/service/registration-service.ts';
import { processorSite } from '../contexts/payments/pages/processor-routes.tsx';
import { publicSite } from '../contexts/registration/pages/routes.tsx';
import { MaintenanceSwitches } from '../platform/maintenance/switches.ts';
import type { MessageRegistry } from '../platform/messages/registry.ts';
import { DeadLetters } from '../platform/processing/dead-letters.ts';
import type { Processing } from '../platform/processing/processing.ts';
import { Timers } from '../platform/processing/timers.ts';
import type { Store } from '../platform/store/store.ts';
import { clientErrors, frameworkErrors, installErrorHandling } from './errors.ts';
import { closeAreasInMaintenance } from './maintenance/gate.tsx';
import { requireJsonBodies } from './json-bodies.ts';
import { logCorrelation } from './correlation.ts';
import { refuseNulCharacters } from './nul-characters.ts';
import { opsApi } from './ops-api.ts';
import { opsSite } from './ops-pages/routes.tsx';
import { pageNotFound } from './pages/not-found.tsx';
import { processMetrics, processMetricsRoutes } from './process-metrics.ts';
import { installSite } from './pages/site.ts';
import { RouteTable, notFoundHandler, routeNotFound } from './route-table.ts';
import { registerSessions } from './sessions.ts';
import { validatorCompiler } from './validation.ts';

export interface ServerDependencies {
  config: Config;
  store: Store;
  registry: MessageRegistry;
  /** The handlers running in this process (roles `worker` and `all`); absent for `web`. */
  processing?: Processing;
  /** The process's maintenance switches; without them the server reads its own (closed with it). */
  maintenance?: MaintenanceSwitches;
  logger: FastifyBaseLogger;
}

/** API.md: bodies over 64 KiB are refused. */
export const BODY_LIMIT = 64 * 1024;

/** One Fastify server for the JSON API, OpenAPI, health and metrics (ARCHITECTURE 8). */
export async function buildServer({ config, store, registry, processing, maintenance: given, logger }: ServerDependencies) {
  const app = Fastify({
    loggerInstance: logger,
    // TRUST_PROXY: the client is the address the nearest proxy reports (the last X-Forwarded-For entry;
    // earlier entries are the client's own claims).
    trustProxy: config.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
    bodyLimit: BODY_LIMIT,
    // Message ids may have 200 characters, percent-encoded up to three times as many.
    routerOptions: { maxParamLength: 1000 },
    genReqId: requestId,
    frameworkErrors,
    clientErrorHandler: clientErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  logCorrelation(app);

  const routes = new RouteTable();
  routes.track(app);
  installErrorHandling(app);
  app.setNotFoundHandler(notFoundHandler(routes, pageNotFound(routeNotFound)));
  requireJsonBodies(app);
  refuseNulCharacters(app);
  await installSite(app);
  await registerSessions(app, config.sessionSecret, config.publicUrl);
  const maintenance = given ?? (await MaintenanceSwitches.open(store, { onError: (error) => logger.error({ err: error }, 'cannot read the maintenance switches') }));
  if (!given) app.addHook('onClose', async () => maintenance.close());
  closeAreasInMaintenance(app, maintenance);

  const deadLetters = processing?.deadLetters ?? new DeadLetters(store);
  const timers = processing?.timers ?? new Timers(store);
  const metrics = processMetrics(app, { store, registry, processing, maintenance, deadLetters, timers });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Contoso Conference API', version: '0.1.0' },
      components: { securitySchemes: { operatorToken: { type: 'http', scheme: 'bearer' }, ...OWNER_SECURITY_SCHEME, ...ACCESS_CODE_SECURITY_SCHEME } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  await app.register(processMetricsRoutes(metrics, { config, store }));
  await app.register(opsApi({ operatorToken: config.operatorToken, store, registry, deadLetters, timers, maintenance, processing }), { prefix: '/api/ops' });
  await app.register(opsSite({ operatorToken: config.operatorToken, store, maintenance, processing, registry }), { prefix: '/ops' });
  await app.register(managementApi({ store, publicUrl: config.publicUrl, conferenceCreationLimit: config.conferenceCreationLimit }), { prefix: '/api/management/conferences' });
  await app.register(conferenceApi({ store, registry, processing }));
  const registration = new RegistrationService({ store, registry, processing, reservationHoldSeconds: config.reservationHoldSeconds });
  await app.register(orderApi({ store, service: registration }));
  await app.register(paymentApi({ store, service: registration }));
  const pages = { store, registry, processing, reservationHoldSeconds: config.reservationHoldSeconds };
  await app.register(publicSite(pages));
  await app.register(processorSite(pages));
  await app.register(managementSite({ store, publicUrl: config.publicUrl, conferenceCreationLimit: config.conferenceCreationLimit }), { prefix: '/manage' });
  return app;
}

export type Server = Awaited<ReturnType<typeof buildServer>>;

/** A caller's `x-request-id` when it looks like one (proxies set it), else a new UUID. */
function requestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
}
