import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { MaintenanceSwitches } from '../platform/maintenance/switches.ts';
import type { MessageRegistry } from '../platform/messages/registry.ts';
import type { DeadLetters } from '../platform/processing/dead-letters.ts';
import type { Processing } from '../platform/processing/processing.ts';
import type { Timers } from '../platform/processing/timers.ts';
import type { Store } from '../platform/store/store.ts';
import { operatorAuth } from './operator-auth.ts';
import { deadLetterRoutes } from './ops/dead-letters.ts';
import { emailRoutes } from './ops/emails.ts';
import { maintenanceRoutes } from './ops/maintenance.ts';
import { messageLogRoutes } from './ops/messages.ts';
import { readModelRoutes } from './ops/read-models.ts';
import { timerRoutes } from './ops/timers.ts';

export interface OpsApiOptions {
  operatorToken: string;
  store: Store;
  registry: MessageRegistry;
  deadLetters: DeadLetters;
  timers: Timers;
  maintenance: MaintenanceSwitches;
  /** The handlers running in this process, if any. */
  processing?: Processing;
}

/** The operator JSON API under `/api/ops` (register with that prefix); every route needs the operator token. */
export function opsApi(options: OpsApiOptions): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('onRequest', operatorAuth({ token: options.operatorToken, store: options.store }));
    await app.register(messageLogRoutes(options.store, options.registry));
    await app.register(deadLetterRoutes(options.deadLetters));
    await app.register(timerRoutes(options.timers));
    await app.register(emailRoutes(options.store));
    await app.register(maintenanceRoutes(options.maintenance, options.processing));
    await app.register(readModelRoutes(options.store, options.registry));
  };
}
