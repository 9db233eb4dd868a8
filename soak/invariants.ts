/**
 * What must hold once the soak's traffic has stopped and the last holds have run out: every order
 * final, the seat figures adding up with nothing held, and no e-mail recorded twice.
 */
import { performance } from 'node:perf_hooks';
import { HttpError } from '../bench/support/registration-client.ts';
import type { Traffic } from './traffic.ts';

interface SeatFigures {
  id: string;
  name: string;
  quantity: number;
  sold: number;
  held: number;
  remaining: number;
}

export async function checkInvariants(traffic: Traffic, operator: { authorization: string }, holdAndBufferMs: number): Promise<string[]> {
  const { client, conference } = traffic;
  const problems: string[] = [];
  // Every order placed is confirmed or expired once its hold and release buffer are over.
  const deadline = performance.now() + holdAndBufferMs + 60_000;
  const stuck: string[] = [];
  const missing: string[] = [];
  for (const order of traffic.orders) {
    let status = '';
    while (performance.now() < deadline) {
      try {
        const view = await client.call<{ status: string }>('GET', `/api/orders/${order.id}?until=final&waitMs=10000`, undefined, { 'x-access-code': order.accessCode });
        status = view.status;
      } catch (error) {
        // An order whose placement was acknowledged is never unknown.
        if (!(error instanceof HttpError && error.status === 404)) throw error;
        status = 'not found';
        break;
      }
      if (status === 'confirmed' || status === 'expired') break;
    }
    if (status === 'not found') missing.push(order.id);
    else if (status !== 'confirmed' && status !== 'expired') stuck.push(`${order.id} (${status})`);
  }
  if (missing.length > 0) problems.push(`${missing.length} acknowledged orders not found: ${missing.slice(0, 5).join(', ')}`);
  if (stuck.length > 0) problems.push(`${stuck.length} orders not final after their expiry: ${stuck.slice(0, 5).join(', ')}`);

  // Seat figures, each from its own events, once processing is idle.
  const base = `/api/management/conferences/${conference.slug}`;
  const figures = await settledFigures(traffic, operator, base);
  for (const seat of figures) {
    if (seat.quantity !== seat.sold + seat.held + seat.remaining) {
      problems.push(`${seat.name}: quota ${seat.quantity} ≠ sold ${seat.sold} + held ${seat.held} + remaining ${seat.remaining}`);
    }
    if (seat.held !== 0) problems.push(`${seat.name}: ${seat.held} seats still held with every order final`);
  }

  // No e-mail recorded twice for one trigger and recipient.
  const keys = new Set<string>();
  for await (const email of everyEmail(traffic, operator)) {
    const key = `${email.trigger} ${email.to}`;
    if (keys.has(key)) problems.push(`e-mail twice: ${key}`);
    keys.add(key);
  }
  return problems;
}

/** Every recorded e-mail, page by page (`x-next-after`). */
async function* everyEmail(traffic: Traffic, operator: { authorization: string }): AsyncGenerator<{ to: string; trigger: string }> {
  let after: string | null = '';
  while (after !== null) {
    const url: URL = new URL(`/api/ops/emails?limit=1000${after ? `&after=${encodeURIComponent(after)}` : ''}`, traffic.client.baseUrl);
    const response: Response = await fetch(url, { headers: operator });
    if (!response.ok) throw new Error(`/api/ops/emails answered ${response.status}`);
    yield* (await response.json()) as Array<{ to: string; trigger: string }>;
    after = response.headers.get('x-next-after');
  }
}

/** The seat figures once every subscription has caught up (lag 0 on two readings in a row). */
async function settledFigures(traffic: Traffic, operator: { authorization: string }, base: string): Promise<SeatFigures[]> {
  const { client, conference } = traffic;
  let idleReadings = 0;
  for (let attempt = 0; attempt < 60 && idleReadings < 2; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500));
    const metrics = await (await fetch(new URL('/metrics', client.baseUrl), { headers: operator })).text();
    const lagging = metrics.split('\n').some((line) => line.startsWith('contoso_subscription_lag_messages{') && !line.endsWith(' 0'));
    idleReadings = lagging ? 0 : idleReadings + 1;
  }
  const stats = await client.call<{ seatTypes: SeatFigures[] }>('GET', `${base}/stats`, undefined, conference.owner);
  return stats.seatTypes;
}
