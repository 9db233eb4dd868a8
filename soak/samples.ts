import type { RegistrationClient } from '../bench/support/registration-client.ts';

/** One reading of the server's /metrics during the soak. */
export interface MemorySample {
  minute: number;
  rssMiB: number;
  heapMiB: number;
  maxLagMessages: number;
  maxLagSeconds: number;
}

const MIB = 2 ** 20;

export async function sampleServer(client: RegistrationClient, operator: { authorization: string }, minute: number): Promise<MemorySample> {
  const text = await metricsText(client, operator);
  const values = (name: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
  return {
    minute,
    rssMiB: (values('process_resident_memory_bytes')[0] ?? 0) / MIB,
    heapMiB: (values('nodejs_heap_size_used_bytes')[0] ?? 0) / MIB,
    maxLagMessages: Math.max(0, ...values('contoso_subscription_lag_messages')),
    maxLagSeconds: Math.max(0, ...values('contoso_subscription_lag_seconds')),
  };
}

async function metricsText(client: RegistrationClient, operator: { authorization: string }): Promise<string> {
  // /metrics answers Prometheus text, not JSON: read it through fetch directly.
  const response = await fetch(new URL('/metrics', client.baseUrl), { headers: operator });
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}

/**
 * Growth of the server's RSS over the second half of the run (least-squares slope, MiB per minute):
 * the first half includes warm-up (JIT, caches, the first WAL checkpoints).
 */
export function memoryTrend(samples: readonly MemorySample[]): number {
  const late = samples.slice(Math.floor(samples.length / 2));
  if (late.length < 2) return 0;
  const meanX = late.reduce((sum, s) => sum + s.minute, 0) / late.length;
  const meanY = late.reduce((sum, s) => sum + s.rssMiB, 0) / late.length;
  const covariance = late.reduce((sum, s) => sum + (s.minute - meanX) * (s.rssMiB - meanY), 0);
  const variance = late.reduce((sum, s) => sum + (s.minute - meanX) ** 2, 0);
  return variance === 0 ? 0 : covariance / variance;
}
