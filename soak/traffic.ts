/**
 * The mixed traffic of the soak test: what a virtual registrant or owner does in one step, through
 * the public and management JSON APIs and the public pages.
 */
import { HttpError, type RegistrationClient } from '../bench/support/registration-client.ts';

export interface SoakConference {
  slug: string;
  owner: { authorization: string };
  /** Plenty of seats, paid. */
  general: string;
  /** Few seats, paid: sells out, reservations come back partial, the owner edits its quota. */
  workshop: string;
  /** Free seats. */
  community: string;
}

export interface PlacedOrder {
  id: string;
  accessCode: string;
}

interface OrderView extends PlacedOrder {
  status: string;
  lines: Array<{ seatTypeId: string; reserved: number }>;
}

/** What the scenarios share: the client, the conference and every order placed (checked at the end). */
export interface Traffic {
  client: RegistrationClient;
  conference: SoakConference;
  orders: PlacedOrder[];
  /** Orders with a registrant, for locate requests. */
  located: Array<PlacedOrder & { email: string }>;
}

export type Scenario = (traffic: Traffic) => Promise<void>;

/** A published conference with the three seat types the scenarios use, owned by a fresh owner. */
export async function createSoakConference(client: RegistrationClient): Promise<SoakConference> {
  const slug = `soak_${Date.now().toString(36)}`;
  const ownerEmail = 'owner@soak.example';
  const created = await client.call<{ accessCode: string }>('POST', '/api/management/conferences', {
    ownerName: 'Soak Owner',
    ownerEmail,
    name: 'Soak Conference',
    slug,
    description: 'Mixed traffic for a long run.',
    location: 'Everywhere',
    startDate: '2030-03-01',
    endDate: '2030-03-03',
  });
  const owner = { authorization: `Basic ${Buffer.from(`${ownerEmail}:${created.accessCode}`).toString('base64')}` };
  const base = `/api/management/conferences/${slug}`;
  const add = async (name: string, quantity: number, price: number) =>
    (await client.call<{ id: string }>('POST', `${base}/seat-types`, { name, description: `${name} seats`, quantity, price }, owner)).id;
  const conference = {
    slug,
    owner,
    general: await add('General admission', 100_000, 19_900),
    workshop: await add('Workshop', 40, 50_000),
    community: await add('Community pass', 100_000, 0),
  };
  await client.call('POST', `${base}/publish`, undefined, owner);
  return conference;
}

const registrant = (n: number) => ({ firstName: 'Soak', lastName: `Registrant ${n}`, email: `registrant${n}@soak.example` });
const random = (below: number) => Math.floor(Math.random() * below);

async function place(traffic: Traffic, seats: Array<{ seatTypeId: string; quantity: number }>): Promise<OrderView> {
  const placed = await traffic.client.call<OrderView>('POST', `/api/conferences/${traffic.conference.slug}/orders`, { seats });
  traffic.orders.push({ id: placed.id, accessCode: placed.accessCode });
  return placed.status === 'pending' ? order(traffic, placed, 'settled') : placed;
}

function order(traffic: Traffic, placed: PlacedOrder, until: 'settled' | 'confirmed' | 'final'): Promise<OrderView> {
  return traffic.client.call<OrderView>('GET', `/api/orders/${placed.id}?until=${until}&waitMs=10000`, undefined, { 'x-access-code': placed.accessCode });
}

async function checkout(traffic: Traffic, placed: PlacedOrder, n: number) {
  const details = registrant(n);
  const answer = await traffic.client.call<{ payment?: { id: string; redirectUrl: string } }>(
    'POST',
    `/api/orders/${placed.id}/checkout`,
    { registrant: details },
    { 'x-access-code': placed.accessCode },
  );
  traffic.located.push({ ...placed, email: details.email });
  return answer.payment;
}

async function answerPayment(traffic: Traffic, placed: PlacedOrder, payment: { id: string; redirectUrl: string }, outcome: 'accept' | 'reject') {
  const token = new URL(payment.redirectUrl, 'http://x').searchParams.get('token');
  await traffic.client.call('POST', `/api/payments/${payment.id}/${outcome}`, { token }, { 'x-access-code': placed.accessCode });
}

/** A conflict the traffic provokes on purpose (a reservation that lost the race, a quota below sales). */
async function allowingConflict(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (error) {
    if (!(error instanceof HttpError && error.status === 409)) throw error;
  }
}

export const SCENARIOS: Array<{ name: string; weight: number; run: Scenario }> = [
  {
    name: 'browse',
    weight: 30,
    async run({ client, conference }) {
      await client.call('GET', '/api/conferences');
      await client.call('GET', `/api/conferences/${conference.slug}`);
      await client.page('/');
      await client.page(`/${conference.slug}/`);
    },
  },
  {
    name: 'paid, accepted, seat assigned',
    weight: 25,
    async run(traffic) {
      const placed = await place(traffic, [{ seatTypeId: traffic.conference.general, quantity: 1 + random(3) }]);
      if (placed.status !== 'reserved') return;
      const payment = await checkout(traffic, placed, random(1000));
      if (!payment) throw new Error(`paid order ${placed.id} got no payment`);
      await answerPayment(traffic, placed, payment, 'accept');
      const confirmed = await order(traffic, placed, 'confirmed');
      if (confirmed.status !== 'confirmed') return; // expired meanwhile: refunded, checked at the end
      const attendee = { firstName: 'Attendee', lastName: `${random(1000)}`, email: `attendee${random(1000)}@soak.example` };
      await traffic.client.call('PUT', `/api/orders/${placed.id}/assignments/0`, attendee, { 'x-access-code': placed.accessCode });
    },
  },
  {
    name: 'paid, rejected, left to expire',
    weight: 8,
    async run(traffic) {
      const placed = await place(traffic, [{ seatTypeId: traffic.conference.general, quantity: 1 }]);
      if (placed.status !== 'reserved') return;
      const payment = await checkout(traffic, placed, random(1000));
      if (payment) await answerPayment(traffic, placed, payment, 'reject');
    },
  },
  {
    name: 'free',
    weight: 10,
    async run(traffic) {
      const placed = await place(traffic, [{ seatTypeId: traffic.conference.community, quantity: 1 }]);
      if (placed.status !== 'reserved') return;
      await checkout(traffic, placed, random(1000));
      await order(traffic, placed, 'confirmed');
    },
  },
  {
    name: 'scarce seats, often partial, left to expire',
    weight: 7,
    async run(traffic) {
      await place(traffic, [{ seatTypeId: traffic.conference.workshop, quantity: 1 + random(10) }]);
    },
  },
  {
    name: 'abandoned',
    weight: 10,
    async run(traffic) {
      await place(traffic, [
        { seatTypeId: traffic.conference.general, quantity: 2 },
        { seatTypeId: traffic.conference.workshop, quantity: 1 },
      ]);
    },
  },
  {
    name: 'locate',
    weight: 5,
    async run({ client, conference, located }) {
      const known = located[random(located.length)];
      if (!known) return;
      await client.call('POST', `/api/conferences/${conference.slug}/orders/find`, { email: known.email, accessCode: known.accessCode });
    },
  },
  {
    name: 'owner edits the scarce quota',
    weight: 5,
    async run({ client, conference }) {
      const base = `/api/management/conferences/${conference.slug}`;
      const stats = await client.call<{ seatTypes: Array<{ id: string; sold: number }> }>('GET', `${base}/stats`, undefined, conference.owner);
      const sold = stats.seatTypes.find((seat) => seat.id === conference.workshop)?.sold ?? 0;
      await allowingConflict(
        client.call('PATCH', `${base}/seat-types/${conference.workshop}`, { quantity: sold + random(30) }, conference.owner),
      );
    },
  },
];

/** Picks a scenario by weight. */
export function pickScenario(): { name: string; run: Scenario } {
  const total = SCENARIOS.reduce((sum, s) => sum + s.weight, 0);
  let roll = random(total);
  for (const scenario of SCENARIOS) {
    roll -= scenario.weight;
    if (roll < 0) return scenario;
  }
  return SCENARIOS[0];
}
