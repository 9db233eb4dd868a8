import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { MaintenanceSwitches } from '../platform/maintenance/switches.ts';
import type { MessageRegistry } from '../platform/messages/registry.ts';
import type { Processing } from '../platform/processing/processing.ts';
import type { Store } from '../platform/store/store.ts';
import { clientErrors, frameworkErrors, installErrorHandling } from './errors.ts';
import { processMetrics, processMetricsRoutes } from './process-metrics.ts';
import { validatorCompiler } from './validation.ts';

export interface WorkerServerDependencies {
  config: Config;
  store: Store;
  registry: MessageRegistry;
  processing: Processing;
  maintenance: MaintenanceSwitches;
  logger: FastifyBaseLogger;
}

/**
 * What a worker process serves when METRICS_PORT is set: its own `/metrics` — the handlers it runs
 * (messages handled, failures, position and lag), the read models' lag, the process's memory and
 * CPU — and `/health`, `/health/ready`. Nothing else: the site and the API are the web processes'.
 */
export async function buildWorkerServer({ config, store, registry, processing, maintenance, logger }: WorkerServerDependencies) {
  const app = Fastify({ loggerInstance: logger, frameworkErrors, clientErrorHandler: clientErrors }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  installErrorHandling(app);
  const metrics = processMetrics(app, { store, registry, processing, maintenance, deadLetters: processing.deadLetters, timers: processing.timers });
  await app.register(processMetricsRoutes(metrics, { config, store }));
  return app;
}
