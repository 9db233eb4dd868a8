/**
 * The soak's registration traffic (soak/traffic.ts) driven against a server that is killed or loses
 * its store: requests that find no server fail and the virtual users go on; every command the
 * server acknowledged (2xx) is recorded, so its effects can be looked for in the log afterwards.
 */
import { performance } from 'node:perf_hooks';
import { HttpError, type RegistrationClient, registrationClient } from '../../../bench/support/registration-client.ts';
import { type Traffic, pickScenario } from '../../../soak/traffic.ts';

/** A command the server answered with 2xx. */
export interface Acknowledged {
  method: string;
  path: string;
  answer: unknown;
  at: number;
}

/** What the traffic met. */
export class LoadStats {
  readonly acknowledged: Acknowledged[] = [];
  /** Answers by status. */
  readonly statuses = new Map<number, number>();
  /** Every 5xx answer: when (performance.now()) and what. */
  readonly serverErrors: Array<{ at: number; status: number; request: string; body: string }> = [];
  /** Requests that got no answer within the client's timeout. */
  readonly hangs: string[] = [];
  /** Requests that found no server, or lost it before the answer. */
  networkErrors = 0;
  /** Scenarios run to their end. */
  completed = 0;
  /** Requests sent and not yet answered. */
  inFlight = 0;
  /** Scenario failures that are neither an HTTP status nor a network error. */
  readonly other: string[] = [];

  /** The first few requests answered with each status other than 2xx. */
  readonly samples = new Map<number, string[]>();

  count(status: number, request: string): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (status >= 300) {
      const samples = this.samples.get(status) ?? [];
      if (samples.length < 3) samples.push(request);
      this.samples.set(status, samples);
    }
  }

  summary(): string {
    const statuses = [...this.statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
    return `${this.completed} scenarios completed, ${this.acknowledged.length} commands acknowledged, ${this.networkErrors} network errors, answers ${statuses}`;
  }
}

const isTimeout = (error: unknown) => error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');

/** fetch found no server or lost the connection (the server was killed or is restarting). */
export function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError && /fetch failed|terminated|socket/i.test(error.message);
}

/**
 * A {@link RegistrationClient} whose requests give up after `timeoutMs` (recorded as hangs), and
 * which counts every answer and records every acknowledged command.
 */
export function recordingClient(baseUrl: string, stats: LoadStats, timeoutMs = 30_000): RegistrationClient {
  const inner = registrationClient(baseUrl);
  async function request(method: string, path: string, init: RequestInit): Promise<{ status: number; ok: boolean; text: string }> {
    stats.inFlight++;
    try {
      const response = await fetch(new URL(path, baseUrl), { ...init, method, signal: AbortSignal.timeout(timeoutMs) });
      const text = await response.text();
      stats.count(response.status, `${method} ${path}: ${text.slice(0, 120)}`);
      if (response.status >= 500) stats.serverErrors.push({ at: performance.now(), status: response.status, request: `${method} ${path}`, body: text.slice(0, 300) });
      return { status: response.status, ok: response.ok, text };
    } catch (error) {
      if (isTimeout(error)) stats.hangs.push(`${method} ${path}`);
      throw error;
    } finally {
      stats.inFlight--;
    }
  }
  async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const answer = await request(method, path, {
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!answer.ok) throw new HttpError(answer.status, `${method} ${path} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    const parsed = (answer.text ? JSON.parse(answer.text) : undefined) as T;
    if (method !== 'GET') stats.acknowledged.push({ method, path, answer: parsed, at: performance.now() });
    return parsed;
  }
  return {
    ...inner,
    call,
    async page(path: string): Promise<void> {
      const answer = await request('GET', path, {});
      if (answer.status !== 200) throw new HttpError(answer.status, `GET ${path} answered ${answer.status}`);
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `users` virtual users running weighted scenarios until {@link stop}. */
export class Load {
  #stopped = false;
  readonly #running: Promise<void>[];

  constructor(
    readonly traffic: Traffic,
    readonly stats: LoadStats,
    users: number,
  ) {
    this.#running = Array.from({ length: users }, () => this.#user());
  }

  async #user(): Promise<void> {
    while (!this.#stopped) {
      // Scenarios that send nothing (nobody to locate yet) must not starve the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      const scenario = pickScenario();
      try {
        await scenario.run(this.traffic);
        this.stats.completed++;
      } catch (error) {
        if (isNetworkError(error)) {
          this.stats.networkErrors++;
          await sleep(50);
        } else if (error instanceof HttpError) {
          // Counted by the client; a refusal ends the scenario.
          if (error.status >= 500) await sleep(50);
        } else if (!isTimeout(error)) {
          this.stats.other.push(`${scenario.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  }

  /** Resolves once `count` more commands have been acknowledged; rejects after `timeoutMs`. */
  async acknowledgedMore(count: number, timeoutMs: number): Promise<void> {
    const target = this.stats.acknowledged.length + count;
    const deadline = performance.now() + timeoutMs;
    while (this.stats.acknowledged.length < target) {
      if (performance.now() > deadline) throw new Error(`fewer than ${count} commands acknowledged within ${timeoutMs} ms (${this.stats.summary()})`);
      await sleep(20);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#running);
  }
}

/** A log row, as much of it as the checks need. */
export interface LogRow {
  kind: string;
  type: string;
  source_id: string;
  correlation_id: string | null;
}

/**
 * Every acknowledged command whose effect is not in the log: a placed order without `OrderPlaced`,
 * a checkout without `OrderRegistrantAssigned` (and `PaymentInitiated` for a paid order), a payment
 * answer without `PaymentCompleted`/`PaymentRejected`, a seat assignment without its command.
 */
export function missingEffects(acknowledged: readonly Acknowledged[], log: readonly LogRow[]): string[] {
  const bySource = new Set(log.map((row) => `${row.type} ${row.source_id}`));
  const byCorrelation = new Set(log.map((row) => `${row.kind} ${row.type} ${row.correlation_id}`));
  const missing: string[] = [];
  const expect = (present: boolean, what: string, command: Acknowledged) => {
    if (!present) missing.push(`${command.method} ${command.path}: no ${what}`);
  };
  for (const command of acknowledged) {
    let match: RegExpExecArray | null;
    if (command.method === 'POST' && /^\/api\/conferences\/[^/]+\/orders$/.test(command.path)) {
      const { id } = command.answer as { id: string };
      expect(bySource.has(`OrderPlaced ${id}`), `OrderPlaced for ${id}`, command);
    } else if (command.method === 'POST' && (match = /^\/api\/orders\/([^/]+)\/checkout$/.exec(command.path))) {
      expect(bySource.has(`OrderRegistrantAssigned ${match[1]}`), 'OrderRegistrantAssigned', command);
      const payment = (command.answer as { payment?: { id: string } }).payment;
      if (payment) expect(bySource.has(`PaymentInitiated ${payment.id}`), `PaymentInitiated for ${payment.id}`, command);
    } else if (command.method === 'POST' && (match = /^\/api\/payments\/([^/]+)\/(accept|reject)$/.exec(command.path))) {
      const type = match[2] === 'accept' ? 'PaymentCompleted' : 'PaymentRejected';
      expect(bySource.has(`${type} ${match[1]}`), type, command);
    } else if (command.method === 'PUT' && (match = /^\/api\/orders\/([^/]+)\/assignments\/\d+$/.exec(command.path))) {
      expect(byCorrelation.has(`command AssignSeat ${match[1]}`), 'AssignSeat command', command);
    }
  }
  return missing;
}

/** Waits until the public API lists a conference just published (Registration learns of it asynchronously). */
export async function published(client: RegistrationClient, slug: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      await client.call('GET', `/api/conferences/${slug}`);
      return;
    } catch (error) {
      if (!(error instanceof HttpError && error.status === 404) || performance.now() > deadline) throw error;
      await sleep(50);
    }
  }
}
