import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { Type } from 'typebox';
import { ErrorBody } from './errors.ts';
import { OPERATOR_SECURITY } from './operator-auth.ts';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DeadLetters } from '../platform/processing/dead-letters.ts';
import type { Processing } from '../platform/processing/processing.ts';
import type { ReadModelVersions } from '../platform/read-models/versions.ts';
import type { Timers } from '../platform/processing/timers.ts';
import type { Store } from '../platform/store/store.ts';

export interface MetricSources {
  store: Store;
  deadLetters: DeadLetters;
  timers: Timers;
  /** Present when this process runs the handlers (roles `worker` and `all`). */
  processing?: Processing;
  /** The read models' live versions and lag, read from the store: the same from every process. */
  readModels?: Pick<ReadModelVersions, 'status'>;
}

/**
 * The Prometheus metrics of one server: its own registry (default process metrics, HTTP requests)
 * and the processing figures, read from the store and the subscriptions at every scrape.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'method' | 'route' | 'status'>;
  readonly #duration: Histogram<'method' | 'route' | 'status'>;
  readonly #position: Gauge<'subscription'>;
  readonly #lagMessages: Gauge<'subscription'>;
  readonly #lagSeconds: Gauge<'subscription'>;
  readonly #processed: Counter<'subscription'>;
  readonly #failures: Counter<'subscription'>;
  readonly #deadLetters: Gauge<'subscription'>;
  readonly #timersDue: Gauge;
  readonly #readModelLagMessages: Gauge<'read_model'>;
  readonly #readModelLagSeconds: Gauge<'read_model'>;
  readonly #readModelVersion: Gauge<'read_model'>;
  readonly #head: Gauge;

  constructor(private readonly sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const http = ['method', 'route', 'status'] as const;
    this.#requests = new Counter({ name: 'contoso_http_requests_total', help: 'HTTP requests answered', labelNames: http, registers });
    this.#duration = new Histogram({
      name: 'contoso_http_request_duration_seconds',
      help: 'Time to answer HTTP requests',
      labelNames: http,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    const gauge = (name: string, help: string) => new Gauge({ name, help, labelNames: ['subscription'] as const, registers });
    const counter = (name: string, help: string) => new Counter({ name, help, labelNames: ['subscription'] as const, registers });
    this.#position = gauge('contoso_subscription_position', 'Highest log position the subscription has dealt with');
    this.#lagMessages = gauge('contoso_subscription_lag_messages', 'Log entries for the subscription it has not dealt with yet');
    this.#lagSeconds = gauge('contoso_subscription_lag_seconds', 'Age of the oldest log entry the subscription has not dealt with');
    this.#processed = counter('contoso_subscription_processed_total', 'Messages handled by the subscription in this process');
    this.#failures = counter('contoso_subscription_failures_total', 'Failed handling attempts in this process');
    this.#deadLetters = gauge('contoso_dead_letters', 'Dead letters waiting for an operator, per subscription');
    const readModelGauge = (name: string, help: string) => new Gauge({ name, help, labelNames: ['read_model'] as const, registers });
    this.#readModelLagMessages = readModelGauge('contoso_read_model_lag_messages', 'Log entries of its types the live version of the read model has not dealt with');
    this.#readModelLagSeconds = readModelGauge('contoso_read_model_lag_seconds', 'Age of the oldest log entry the live version of the read model has not dealt with');
    this.#readModelVersion = readModelGauge('contoso_read_model_version', 'Live version of the read model');
    this.#timersDue = new Gauge({ name: 'contoso_timers_due', help: 'Durable timers due and not fired yet', registers });
    this.#head = new Gauge({ name: 'contoso_log_head_position', help: 'Highest visible position of the message log', registers });
  }

  /** Counts every answered request by method, route pattern (never the raw URL) and status. */
  track(app: FastifyInstance): void {
    app.addHook('onResponse', async (request, reply) => {
      const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
      this.#requests.inc(labels);
      this.#duration.observe(labels, reply.elapsedTime / 1000);
    });
  }

  #rendering: Promise<string> | undefined;

  /** The Prometheus text, with processing figures read now (concurrent scrapes share one reading). */
  render(): Promise<string> {
    this.#rendering ??= this.#refresh()
      .then(() => this.registry.metrics())
      .finally(() => {
        this.#rendering = undefined;
      });
    return this.#rendering;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async #refresh(): Promise<void> {
    const { store, deadLetters, timers, processing, readModels } = this.sources;
    const [statuses, deadLetterCounts, due, head, readModelStatuses] = await Promise.all([
      processing?.status() ?? [],
      deadLetters.count(),
      timers.countDue(),
      store.headPosition(),
      readModels?.status() ?? [],
    ]);
    for (const metric of [this.#position, this.#lagMessages, this.#lagSeconds, this.#processed, this.#failures, this.#deadLetters]) {
      metric.reset();
    }
    for (const metric of [this.#readModelLagMessages, this.#readModelLagSeconds, this.#readModelVersion]) metric.reset();
    for (const status of readModelStatuses.filter((s) => s.status === 'live')) {
      const labels = { read_model: status.name };
      this.#readModelLagMessages.set(labels, status.lagMessages);
      this.#readModelLagSeconds.set(labels, status.lagSeconds);
      this.#readModelVersion.set(labels, status.version);
    }
    for (const status of statuses) {
      const labels = { subscription: status.name };
      this.#position.set(labels, status.position);
      this.#lagMessages.set(labels, status.lagMessages);
      this.#lagSeconds.set(labels, status.lagSeconds);
      this.#processed.inc(labels, status.processed);
      this.#failures.inc(labels, status.failures);
      this.#deadLetters.set(labels, 0);
    }
    for (const [subscription, count] of Object.entries(deadLetterCounts)) this.#deadLetters.set({ subscription }, count);
    this.#timersDue.set(due);
    this.#head.set(head);
  }
}

/** `GET /metrics`; `auth` is the operator check, or undefined when `METRICS_PUBLIC=1`. */
export function metricsRoutes(metrics: ServerMetrics, auth: onRequestAsyncHookHandler | undefined): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/metrics',
      {
        onRequest: auth ? [auth] : [],
        schema: {
          tags: ['metrics'],
          summary: 'Prometheus metrics (operator token unless METRICS_PUBLIC=1)',
          ...(auth ? { security: OPERATOR_SECURITY } : {}),
          response: {
            200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: Type.String() } } },
            401: ErrorBody,
          },
        },
      },
      async (_request, reply) => {
        const text = await metrics.render();
        return reply.type(metrics.contentType).send(text);
      },
    );
  };
}
