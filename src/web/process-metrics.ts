import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { readModelVersions } from '../app/read-models.ts';
import type { Config } from '../config.ts';
import type { MaintenanceSwitches } from '../platform/maintenance/switches.ts';
import type { MessageRegistry } from '../platform/messages/registry.ts';
import type { DeadLetters } from '../platform/processing/dead-letters.ts';
import type { Processing } from '../platform/processing/processing.ts';
import type { Timers } from '../platform/processing/timers.ts';
import type { Store } from '../platform/store/store.ts';
import { healthRoutes } from './health.ts';
import { registerMaintenanceMetrics } from './maintenance/metrics.ts';
import { ServerMetrics, metricsRoutes } from './metrics.ts';
import { operatorAuth } from './operator-auth.ts';

export interface ProcessMetricsSources {
  store: Store;
  registry: MessageRegistry;
  processing: Processing | undefined;
  maintenance: MaintenanceSwitches;
  deadLetters: DeadLetters;
  timers: Timers;
}

/** The metrics of this process, counting every request `app` answers (call before registering routes). */
export function processMetrics(app: FastifyInstance, { store, registry, processing, maintenance, deadLetters, timers }: ProcessMetricsSources): ServerMetrics {
  const metrics = new ServerMetrics({ store, deadLetters, timers, processing, readModels: readModelVersions(store, registry) });
  metrics.track(app);
  registerMaintenanceMetrics(metrics.registry, maintenance, processing);
  return metrics;
}

/** `/health`, `/health/ready` and `/metrics` (operator token unless METRICS_PUBLIC=1), on any role's server. */
export function processMetricsRoutes(metrics: ServerMetrics, { config, store }: { config: Config; store: Store }): FastifyPluginAsync {
  return async (app) => {
    await app.register(healthRoutes(store));
    await app.register(metricsRoutes(metrics, config.metricsPublic ? undefined : operatorAuth({ token: config.operatorToken, store })));
  };
}
