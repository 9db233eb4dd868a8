/** A small client of the public and management JSON APIs (API.md), for load generators. */

export interface OrderAnswer {
  id: string;
  accessCode: string;
  status: string;
}

export interface PaymentHandle {
  id: string;
  token: string;
}

export type RegistrationClient = ReturnType<typeof registrationClient>;

/** A request that answered with an unexpected status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function registrationClient(baseUrl: string) {
  async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new HttpError(response.status, `${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  return {
    baseUrl,
    call,
    health: () => call<unknown>('GET', '/health'),

    /** An HTML page as a browser gets it; any status but 200 fails. */
    async page(path: string): Promise<void> {
      const response = await fetch(new URL(path, baseUrl));
      await response.text();
      if (response.status !== 200) throw new HttpError(response.status, `GET ${path} answered ${response.status}`);
    },

    /** A published conference with one seat type; answers its slug and seat type id. */
    async createConference(seatType: { quantity: number; price: number }): Promise<{ slug: string; seatTypeId: string }> {
      const slug = `bench_${Date.now().toString(36)}`;
      const ownerEmail = 'owner@bench.example';
      const created = await call<{ accessCode: string }>('POST', '/api/management/conferences', {
        ownerName: 'Bench Owner',
        ownerEmail,
        name: 'Benchmark Conference',
        slug,
        description: 'A conference for load tests.',
        location: 'Nowhere',
        startDate: '2030-01-10',
        endDate: '2030-01-11',
      });
      const auth = { authorization: `Basic ${Buffer.from(`${ownerEmail}:${created.accessCode}`).toString('base64')}` };
      const base = `/api/management/conferences/${slug}`;
      const seat = await call<{ id: string }>('POST', `${base}/seat-types`, { name: 'General admission', description: 'Everything', ...seatType }, auth);
      await call('POST', `${base}/publish`, undefined, auth);
      return { slug, seatTypeId: seat.id };
    },

    placeOrder: (slug: string, seats: Array<{ seatTypeId: string; quantity: number }>) =>
      call<OrderAnswer>('POST', `/api/conferences/${slug}/orders`, { seats }),

    order: (id: string, accessCode: string, until: 'settled' | 'confirmed' | 'final') =>
      call<OrderAnswer>('GET', `/api/orders/${id}?until=${until}&waitMs=10000`, undefined, { 'x-access-code': accessCode }),

    async checkout(id: string, accessCode: string): Promise<{ payment: PaymentHandle }> {
      const answer = await call<{ payment: { id: string; redirectUrl: string } }>(
        'POST',
        `/api/orders/${id}/checkout`,
        { registrant: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@bench.example' }, paymentMethod: 'card' },
        { 'x-access-code': accessCode },
      );
      const token = new URL(answer.payment.redirectUrl, 'http://x').searchParams.get('token');
      if (!token) throw new Error(`checkout of ${id} answered no payment token`);
      return { payment: { id: answer.payment.id, token } };
    },

    acceptPayment: (payment: PaymentHandle, accessCode: string) =>
      call('POST', `/api/payments/${payment.id}/accept`, { token: payment.token }, { 'x-access-code': accessCode }),
  };
}
