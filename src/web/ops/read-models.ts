import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { READ_MODEL_UNITS, readModelVersions } from '../../app/read-models.ts';
import type { MessageRegistry } from '../../platform/messages/registry.ts';
import { RebuildJobs } from '../../platform/read-models/rebuild.ts';
import { findUnit } from '../../platform/read-models/unit.ts';
import { ReadModelConflict, ReadModelNotFound } from '../../platform/read-models/versions.ts';
import type { Store } from '../../platform/store/store.ts';
import { conflict, errorResponses, notFound } from '../errors.ts';
import { OPERATOR_SECURITY } from '../operator-auth.ts';

const VersionEntry = Type.Object({
  name: Type.String(),
  version: Type.Integer(),
  status: Type.Union([Type.Literal('live'), Type.Literal('rebuilding'), Type.Literal('standby')]),
  position: Type.Number(),
  lagMessages: Type.Integer(),
  lagSeconds: Type.Number(),
});

const JobEntry = Type.Object({
  status: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  position: Type.Number(),
  targetPosition: Type.Number(),
  eventsPerSecond: Type.Number(),
  eta: Type.Union([Type.String(), Type.Null()]),
});

const Name = Type.Object({ name: Type.String() });

/** Read-model versions, rebuilds, switches and retirement (API.md Operator, DOMAIN 7.2). */
export function readModelRoutes(store: Store, registry: MessageRegistry): FastifyPluginAsyncTypebox {
  const versions = readModelVersions(store, registry);
  const jobs = new RebuildJobs(versions);
  const unitOf = (name: string) => {
    const unit = findUnit(READ_MODEL_UNITS, name);
    if (!unit) throw notFound(`No read model is named ${name}.`);
    return unit;
  };
  const answering = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ReadModelConflict) throw conflict(error.message);
      if (error instanceof ReadModelNotFound) throw notFound(error.message);
      throw error;
    }
  };
  return async (app) => {
    app.get(
      '/read-models',
      {
        schema: { tags: ['operator'], summary: 'Every version of every read model', security: OPERATOR_SECURITY, response: { 200: Type.Array(VersionEntry), ...errorResponses(401) } },
      },
      async () => (await versions.status()).map(({ name, version, status, position, lagMessages, lagSeconds }) => ({ name, version, status, position, lagMessages, lagSeconds })),
    );

    app.post(
      '/read-models/:name/rebuild',
      {
        schema: {
          tags: ['operator'],
          summary: 'Rebuild a read model from the log (side by side by default)',
          security: OPERATOR_SECURITY,
          params: Name,
          body: Type.Optional(Type.Object({ mode: Type.Optional(Type.Union([Type.Literal('side-by-side'), Type.Literal('in-place')])) }, { additionalProperties: false })),
          response: { 202: Type.Object({ jobId: Type.String() }), ...errorResponses(400, 401, 404, 409) },
        },
      },
      async (request, reply) => {
        const unit = unitOf(request.params.name);
        const job = await answering(() => jobs.start(unit, { mode: request.body?.mode ?? 'side-by-side' }));
        return reply.code(202).send({ jobId: job.id });
      },
    );

    app.post(
      '/read-models/:name/switch',
      {
        schema: {
          tags: ['operator'],
          summary: 'Switch readers to a kept version (rollback)',
          security: OPERATOR_SECURITY,
          params: Name,
          body: Type.Object({ version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
          response: { 200: Type.Object({ name: Type.String(), version: Type.Integer() }), ...errorResponses(400, 401, 404, 409) },
        },
      },
      async (request) => {
        const unit = unitOf(request.params.name);
        if (jobs.running(unit)) throw conflict(`A rebuild of ${request.params.name} is running.`);
        await answering(() => versions.switchTo(unit, request.body.version));
        return { name: request.params.name, version: request.body.version };
      },
    );

    app.delete(
      '/read-models/:name/versions/:version',
      {
        schema: {
          tags: ['operator'],
          summary: 'Retire a kept version (drops its tables)',
          security: OPERATOR_SECURITY,
          params: Type.Object({ name: Type.String(), version: Type.Integer({ minimum: 1 }) }),
          response: { 204: Type.Null(), ...errorResponses(400, 401, 404, 409) },
        },
      },
      async (request, reply) => {
        const unit = unitOf(request.params.name);
        const row = (await versions.versions(unit)).find((r) => r.version === request.params.version);
        if (row?.status === 'rebuilding') throw conflict(`Version ${row.version} of ${request.params.name} is being built.`);
        await answering(() => versions.retire(unit, request.params.version));
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/jobs/:jobId',
      {
        schema: { tags: ['operator'], summary: 'Progress of a rebuild', security: OPERATOR_SECURITY, params: Type.Object({ jobId: Type.String() }), response: { 200: JobEntry, ...errorResponses(401, 404) } },
      },
      async (request) => {
        const job = jobs.get(request.params.jobId);
        if (!job) throw notFound('No such job.');
        return job.progress;
      },
    );
  };
}
