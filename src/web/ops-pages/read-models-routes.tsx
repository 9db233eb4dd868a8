import type { FastifyPluginAsync } from 'fastify';
import { READ_MODEL_UNITS, readModelVersions } from '../../app/read-models.ts';
import { createMessageRegistry } from '../../app/registry.ts';
import type { MessageRegistry } from '../../platform/messages/registry.ts';
import { RebuildJobs } from '../../platform/read-models/rebuild.ts';
import { findUnit } from '../../platform/read-models/unit.ts';
import { ReadModelConflict, ReadModelNotFound } from '../../platform/read-models/versions.ts';
import type { Store } from '../../platform/store/store.ts';
import { conflict, notFound, validationFailed } from '../errors.ts';
import { PAGE, render } from '../pages/render.ts';
import { READ_MODELS_PAGE_PATH, ReadModelsPage } from './read-models-page.tsx';
import { requireOperator } from './session.ts';

/** `/ops/read-models` (DOMAIN 7.2), registered inside the operator pages (prefix `/ops`). */
export function readModelPages({ store, registry }: { store: Store; registry?: MessageRegistry }): FastifyPluginAsync {
  return async (app) => {
    const versions = readModelVersions(store, registry ?? createMessageRegistry());
    const jobs = new RebuildJobs(versions);
    const signedIn = { ...PAGE, onRequest: requireOperator };
    const action = { ...signedIn, preHandler: app.csrfProtection };
    const unitOf = (name: string) => {
      const unit = findUnit(READ_MODEL_UNITS, name);
      if (!unit) throw notFound(`No read model is named ${name}.`);
      return unit;
    };
    const versionOf = (text: string) => {
      if (!/^[1-9]\d{0,8}$/.test(text)) throw validationFailed({ version: 'A version is a positive whole number.' }, 'A version is a positive whole number.');
      return Number(text);
    };
    const acting = async (work: () => Promise<unknown>) => {
      try {
        await work();
      } catch (error) {
        if (error instanceof ReadModelConflict) throw conflict(error.message);
        if (error instanceof ReadModelNotFound) throw notFound(error.message);
        throw error;
      }
    };

    app.get('/read-models', signedIn, async (_request, reply) =>
      render(reply, <ReadModelsPage csrf={reply.generateCsrf()} versions={await versions.status()} />),
    );

    app.post<{ Params: { name: string } }>('/read-models/:name/rebuild', action, async (request, reply) => {
      const unit = unitOf(request.params.name);
      await acting(() => jobs.start(unit, { mode: 'side-by-side' }));
      return reply.redirect(READ_MODELS_PAGE_PATH, 303);
    });

    app.post<{ Params: { name: string; version: string } }>('/read-models/:name/versions/:version/switch', action, async (request, reply) => {
      const unit = unitOf(request.params.name);
      await acting(() => versions.switchTo(unit, versionOf(request.params.version)));
      return reply.redirect(READ_MODELS_PAGE_PATH, 303);
    });

    app.post<{ Params: { name: string; version: string } }>('/read-models/:name/versions/:version/retire', action, async (request, reply) => {
      const unit = unitOf(request.params.name);
      await acting(() => versions.retire(unit, versionOf(request.params.version)));
      return reply.redirect(READ_MODELS_PAGE_PATH, 303);
    });
  };
}
