import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { demoConference, seedDemoConference } from '../app/demo-data.ts';
import { messageHandlers } from '../app/handlers.ts';
import { readModelVersions } from '../app/read-models.ts';
import { createMessageRegistry } from '../app/registry.ts';
import type { Config } from '../config.ts';
import { openStore } from '../app/open-store.ts';
import { EmailSender } from '../contexts/notifications/sender.ts';
import { pauseWithProcessingSwitch } from '../platform/maintenance/pause-processing.ts';
import { MaintenanceSwitches } from '../platform/maintenance/switches.ts';
import { Processing } from '../platform/processing/processing.ts';
import { buildServer } from '../web/server.ts';
import { buildWorkerServer } from '../web/worker-server.ts';

export type Role = 'web' | 'worker' | 'all';

/** How long a graceful shutdown may take before the process gives up (exit code 1). */
const SHUTDOWN_TIMEOUT_MS = 15_000;

/**
 * `conference serve`: `web` serves HTTP, `worker` runs the handlers, timers and the e-mail sender,
 * `all` both. Resolves once running; SIGTERM or SIGINT closes HTTP, stops processing, closes the
 * store and exits 0.
 */
export async function serve(config: Config, role: Role): Promise<void> {
  const logger = pino({ level: config.logLevel });
  const store = await openStore(config);
  const registry = createMessageRegistry();
  // Switches made by another process (`conference switch`, a rebuild elsewhere) reach this one's readers.
  const stopWatchingVersions = readModelVersions(store, registry, logger).watch();
  const processing =
    role === 'web'
      ? undefined
      : new Processing(store, registry, messageHandlers({ settings: config, store, registry, logger }), {
          logger,
          // NATS_URL selects the NATS JetStream transport (PostgreSQL only: the configuration refuses it otherwise).
          nats: config.natsUrl
            ? { url: config.natsUrl, stream: config.natsStream, subjectPrefix: config.natsSubjectPrefix, maxAgeMs: config.natsRetentionMs }
            : undefined,
        });
  const sender = role === 'web' ? undefined : new EmailSender(store, { smtpUrl: config.smtpUrl, mailFrom: config.mailFrom, logger });
  let app: Awaited<ReturnType<typeof buildServer>> | undefined;
  let maintenance: MaintenanceSwitches | undefined;
  try {
    maintenance = await MaintenanceSwitches.open(store, { onError: (error) => logger.error({ err: error }, 'cannot read the maintenance switches') });
    pauseWithProcessingSwitch(maintenance, [processing, sender].filter((worker) => worker !== undefined), (error) =>
      logger.error({ err: error }, 'cannot pause or resume processing'),
    );
    if (role !== 'worker') {
      // The processes that serve the site seed the demo conference; of several at once, one does.
      await seedDemoConference(store, config);
      app = await buildServer({ config, store, registry, processing, maintenance, logger });
      await app.listen({ port: config.port, host: '0.0.0.0' });
    } else if (config.metricsPort !== undefined) {
      app = await buildWorkerServer({ config, store, registry, processing: processing!, maintenance, logger });
      await app.listen({ port: config.metricsPort, host: '0.0.0.0' });
    }
  } catch (error) {
    await app?.close();
    maintenance?.close();
    stopWatchingVersions();
    await store.close();
    throw error;
  }
  const demo = await demoConference(store.db);
  // From here on a signal shuts down gracefully, also while the start-up lines are still being written.
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    (async () => {
      await app?.close();
      await Promise.all([processing?.stop(), sender?.stop()]);
      maintenance?.close();
      stopWatchingVersions();
      await store.close();
    })().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  processing?.start();
  sender?.start();

  const port = app ? (app.server.address() as AddressInfo).port : undefined;
  if (role !== 'worker') console.log(`Contoso Conference (${role}) listening on http://localhost:${port}`);
  else if (port !== undefined) console.log(`Contoso Conference worker running; metrics on http://localhost:${port}/metrics`);
  else console.log('Contoso Conference worker running');
  if (config.generated) console.log(`Operator token: ${config.operatorToken}`);
  if (demo) console.log(`Demo conference: ${config.publicUrl}/${demo.slug}/ (manage it with ${demo.ownerEmail} and access code ${demo.accessCode})`);
}
