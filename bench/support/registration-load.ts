/**
 * The end-to-end registration workload of the registration benchmarks: clients each looping over
 * whole paid registrations through the public JSON API.
 */
import { performance } from 'node:perf_hooks';
import type { Contender } from './measure.ts';
import type { RegistrationClient } from './registration-client.ts';

export interface BenchConference {
  slug: string;
  seatTypeId: string;
}

/** One whole paid registration; answers how long the seats took to be reserved. */
export async function register(client: RegistrationClient, conference: BenchConference): Promise<{ reservedMs: number }> {
  const start = performance.now();
  const order = await client.placeOrder(conference.slug, [{ seatTypeId: conference.seatTypeId, quantity: 1 }]);
  const reserved = order.status === 'reserved' ? order : await client.order(order.id, order.accessCode, 'settled');
  const reservedMs = performance.now() - start;
  if (reserved.status !== 'reserved') throw new Error(`order ${order.id} is ${reserved.status}, not reserved`);
  const { payment } = await client.checkout(order.id, order.accessCode);
  await client.acceptPayment(payment, order.accessCode);
  const confirmed = await client.order(order.id, order.accessCode, 'confirmed');
  if (confirmed.status !== 'confirmed') throw new Error(`order ${order.id} is ${confirmed.status}, not confirmed`);
  return { reservedMs };
}

/**
 * `clients` concurrent clients looping over {@link register}; client n talks to `servers[n % servers.length]`
 * (several web processes: the clients are spread over them). Its units are confirmed orders. The
 * place → reserved latencies of every call but the first (compare()'s warm-up) go to `reservedMs`.
 */
export function registrations(name: string, servers: readonly RegistrationClient[], conference: BenchConference, clients: number, reservedMs?: number[]): Contender {
  let warmedUp = false;
  return {
    name,
    async runFor(ms) {
      const record = warmedUp;
      warmedUp = true;
      const deadline = performance.now() + ms;
      const counts = await Promise.all(
        Array.from({ length: clients }, async (_, n) => {
          const client = servers[n % servers.length];
          let confirmed = 0;
          while (performance.now() < deadline) {
            const timing = await register(client, conference);
            if (record) reservedMs?.push(timing.reservedMs);
            confirmed++;
          }
          return confirmed;
        }),
      );
      return counts.reduce((a, b) => a + b, 0);
    },
  };
}
