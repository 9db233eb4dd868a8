import fc from 'fast-check';
import { expect } from 'vitest';
import { settle } from '../../web/registration-site-fixture.ts';
import type { TestServer } from '../../web/server-fixture.ts';
import { type Expectation, FuzzRecord } from './fuzz-record.ts';
import { type RawHttp, type RawRequest, type RawResponse, someClient } from './http.ts';
import { storeChanges, storeSnapshot } from './store-snapshot.ts';

/** A request with what its answer must be. */
export interface Probe {
  request: RawRequest;
  expect: Expectation;
}

/** `FUZZ_SEED` repeats a run; otherwise each run draws new input (the seed is in every failure report). */
export const SEED = process.env.FUZZ_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED);

function seedOf(endpoint: string): number {
  let hash = SEED;
  for (const char of endpoint) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

/**
 * Sends generated requests to a listening server and records every answer. Runs of requests that
 * must be refused are framed by store snapshots: the store must be as it was.
 */
export class Fuzzer {
  readonly record = new FuzzRecord();

  constructor(
    readonly server: TestServer,
    readonly http: RawHttp,
    /** Whether handlers run in this server (then the store is settled before each snapshot). */
    readonly processing = true,
  ) {}

  /** Sends one request, from a new client address unless the request names one. */
  send(request: RawRequest): Promise<RawResponse> {
    const headers = { 'x-forwarded-for': someClient(), ...request.headers };
    return this.http.send({ ...request, headers });
  }

  /**
   * `numRuns` requests drawn from `probes`, each of which must be refused; the store must not change.
   * Findings are recorded, not thrown: every 5xx of the run is collected.
   */
  async refuseAll(endpoint: string, probes: fc.Arbitrary<Probe>, numRuns: number): Promise<void> {
    const before = await this.#snapshot();
    await fc.assert(
      fc.asyncProperty(probes, async (probe) => {
        const response = await this.#sendOrRecord(endpoint, probe.request);
        if (response) this.record.refused(endpoint, probe.request, response, probe.expect);
      }),
      { numRuns, seed: seedOf(endpoint), endOnFailure: true },
    );
    const changes = storeChanges(before, await this.#snapshot());
    for (const change of changes) this.record.fail(endpoint, `refused requests changed the store: ${change}`);
  }

  /** Requests that may or may not be valid: never a 5xx, never internals (the store may change). */
  async answerAll(endpoint: string, requests: fc.Arbitrary<RawRequest>, numRuns: number): Promise<void> {
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        const response = await this.#sendOrRecord(endpoint, request);
        if (response) this.record.answered(endpoint, request, response);
      }),
      { numRuns, seed: seedOf(endpoint), endOnFailure: true },
    );
  }

  /** Fails the current test with every finding of the endpoint. */
  expectClean(endpoint: string): void {
    const findings = this.record.findingsOf(endpoint);
    expect(findings.length, `FUZZ_SEED=${SEED}\n${FuzzRecord.report(findings)}`).toBe(0);
  }

  /** The answer; a request without one (the connection dropped twice) is a finding. */
  async #sendOrRecord(endpoint: string, request: RawRequest): Promise<RawResponse | undefined> {
    try {
      return await this.send(request);
    } catch (error) {
      this.record.unanswered(endpoint, request, error);
      return undefined;
    }
  }

  async #snapshot() {
    if (this.processing) await settle(this.server);
    return storeSnapshot(this.server.store);
  }
}
