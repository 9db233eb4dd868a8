import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { type Config, type Environment, loadConfig } from '../../src/config.ts';
import { MessageRegistry } from '../../src/platform/messages/registry.ts';
import type { HandlerDependencies } from '../../src/app/handlers.ts';
import { openStore } from '../../src/app/open-store.ts';
import type { MessageHandler } from '../../src/platform/processing/handler.ts';
import { Processing } from '../../src/platform/processing/processing.ts';
import type { Store } from '../../src/platform/store/store.ts';
import { type Server, buildServer } from '../../src/web/server.ts';
import { type StoreKind, freshLocation } from '../support/stores.ts';

export interface TestServer {
  app: Server;
  store: Store;
  config: Config;
  processing: Processing | undefined;
  /** Headers carrying the operator token. */
  auth: { authorization: string };
  close(): Promise<void>;
}

/** Handlers that need the store and settings, e.g. `messageHandlers` of `src/app/handlers.ts`. */
export type HandlerFactory = (dependencies: HandlerDependencies) => MessageHandler[];

/**
 * A real server over a fresh SQLite store in a temp DATA_DIR (secrets generated there). With
 * `handlers` (or a factory of them), a Processing is built for them (not started: tests drive the store themselves).
 */
export async function testServer(
  options: { env?: Environment; registry?: MessageRegistry; handlers?: MessageHandler[] | HandlerFactory; logger?: pino.Logger } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'contoso-web-'));
  const config = loadConfig({ DATA_DIR: dir, ...options.env });
  const store = await openStore(config);
  const registry = options.registry ?? new MessageRegistry();
  const logger = options.logger ?? pino({ level: 'silent' });
  const handlers = typeof options.handlers === 'function' ? options.handlers({ settings: config, store, registry, logger }) : options.handlers;
  const processing = handlers ? new Processing(store, registry, handlers, { logger }) : undefined;
  const app = await buildServer({ config, store, registry, processing, logger });
  return {
    app,
    store,
    config,
    processing,
    auth: { authorization: `Bearer ${config.operatorToken}` },
    async close() {
      await app.close();
      await processing?.stop();
      await store.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** {@link testServer} over a fresh store of either kind: PostgreSQL gets a new database, dropped on close. */
export async function testServerOn(kind: StoreKind, options: Parameters<typeof testServer>[0] = {}): Promise<TestServer> {
  if (kind === 'sqlite') return testServer(options);
  const location = await freshLocation(kind);
  const secrets = { OPERATOR_TOKEN: randomBytes(16).toString('hex'), SESSION_SECRET: randomBytes(32).toString('hex') };
  const server = await testServer({ ...options, env: { DATABASE_URL: location.url, ...secrets, ...options.env } }).catch(async (error: unknown) => {
    await location.drop();
    throw error;
  });
  return {
    ...server,
    async close() {
      await server.close();
      await location.drop();
    },
  };
}
