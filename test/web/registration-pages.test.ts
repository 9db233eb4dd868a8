import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { expectPage } from './management-pages-fixture.ts';
import { type PublishedConference, Registrant, publishConference, registrationServer, seatSelectionForm, settle } from './registration-site-fixture.ts';
import type { TestServer } from './server-fixture.ts';

const SCRIPT = '<script>alert(1)</script>';
const ESCAPED = '&lt;script>alert(1)&lt;/script>';

/** Every seat type id of the page's form with its quantity (0 for those not named). */
function choose(conference: PublishedConference, quantities: number[]): Record<string, number> {
  return Object.fromEntries(conference.seatTypeIds.map((id, index) => [id, quantities[index] ?? 0]));
}

const orderIdOf = (url: string) => new URL(url, 'http://site').searchParams.get('orderId') ?? /\/order\/([^/?]+)/.exec(url)![1];

describe('the public registration pages', () => {
  let server: TestServer;
  let paid: PublishedConference;
  let free: PublishedConference;
  let ip = 0;
  /** A browser of its own client address: its failures never limit another test's. */
  const registrant = () => new Registrant(server, `198.51.100.${++ip}`);

  beforeAll(async () => {
    server = await registrationServer();
    server.processing!.start();
    paid = await publishConference(server, [
      { name: 'General admission', price: 19_900, quantity: 100 },
      { name: 'Workshop', price: 50_000, quantity: 2 },
      { name: 'Community pass', price: 5_000, quantity: 0 },
    ]);
    free = await publishConference(server, [{ name: 'Community pass', price: 0, quantity: 50 }]);
  });
  afterAll(() => server?.close());

  /** Chooses seats and submits the form; answers the page the registrant lands on (checkout). */
  async function placeOrder(browser: Registrant, conference: PublishedConference, quantities: number[]) {
    const selection = expectPage(await browser.get(`/${conference.slug}/register`), 200);
    const submitted = await browser.post(`/${conference.slug}/register`, seatSelectionForm(selection, choose(conference, quantities)));
    expect(submitted.statusCode, submitted.body).toBe(303);
    const landed = await browser.follow(submitted);
    return { page: landed, orderId: orderIdOf(landed.url) };
  }

  const registrantForm = (overrides: Record<string, string> = {}) => ({
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@example.com',
    confirmEmail: 'ADA@example.com',
    paymentMethod: 'card',
    ...overrides,
  });

  /** Checks out a paid order and answers the processor page. */
  async function toProcessor(browser: Registrant, conference: PublishedConference, orderId: string, overrides: Record<string, string> = {}) {
    const sent = await browser.post(`/${conference.slug}/registrant?orderId=${orderId}`, registrantForm(overrides));
    expect(sent.statusCode, sent.body).toBe(303);
    expect(sent.headers.location).toMatch(new RegExp(`^/${conference.slug}/third-party-payment\\?paymentId=`));
    const processor = await browser.follow(sent);
    expect(processor.url).toMatch(/^\/payment\?paymentId=[^&]+&token=/);
    return processor;
  }

  const hidden = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)![1];

  it('shows the seat selection with prices, availability, "Sold out" and the estimated total', async () => {
    const body = expectPage(await registrant().get(`/${paid.slug}/register`), 200);
    expect(body).toContain('<h1>Register</h1>');
    expect(body).toContain('Please make your selection.');
    expect(body).toContain('<h2>Event tickets</h2>');
    for (const heading of ['Registration type', 'Price', 'Available', 'Quantity']) expect(body).toContain(`>${heading}</th>`);
    expect(body).toMatch(/General admission.*\$199\.00.*>100<.*<select[^>]*name="quantity-[^"]+"/s);
    // 0..min(available, 20): the workshop has two seats.
    expect(body).toMatch(/Workshop.*<option value="0" selected>0<\/option><option value="1">1<\/option><option value="2">2<\/option><\/select>/s);
    expect(body).toMatch(new RegExp(`Community pass.*Sold out<input type="hidden" name="quantity-${paid.seatTypeIds[2]}" value="0"/>`, 's'));
    expect(body).toContain('Estimated Total: <output>$0.00</output>');
    expect(body).toContain('<script src="/assets/seat-selection.js" defer></script>');
    expect(body).toContain(`<a class="button secondary" href="/${paid.slug}/">Back</a>`);
    expect(body).toContain('Order now');
    expect(hidden(body, 'orderVersion')).toBe('-1');
    expect(hidden(body, 'orderId')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses an empty selection with the message and sends nothing', async () => {
    const browser = registrant();
    const selection = expectPage(await browser.get(`/${paid.slug}/register`), 200);
    const form = seatSelectionForm(selection, choose(paid, [0, 0]));
    const body = expectPage(await browser.post(`/${paid.slug}/register`, form), 422);
    expect(body).toContain('<li>One or more items are required.</li>');
    const tooMany = expectPage(await browser.post(`/${paid.slug}/register`, { ...form, [`quantity-${paid.seatTypeIds[0]}`]: '21' }), 422);
    expect(tooMany).toContain('You can order at most 20 seats of each type.');
    expect(await server.store.readStream({ sourceType: 'Order', sourceId: form.orderId })).toEqual([]);
  });

  it('takes a paid order through checkout, the processor and the thank-you page', async () => {
    const browser = registrant();
    const { page, orderId } = await placeOrder(browser, paid, [3, 1]);
    const checkout = expectPage(page, 200);
    expect(checkout).toContain('<h2>Seats information</h2>');
    expect(checkout).toMatch(/General admission<\/td><td class="number">\$199\.00<\/td><td class="number">3<\/td><td class="number">\$597\.00/);
    expect(checkout).toMatch(/Total:<\/th><td class="number total">\$1,097\.00/);
    for (const label of ['First Name:*', 'Last Name:*', 'Email address:*', 'Confirm e-mail:*', 'Payment method:*']) expect(checkout).toContain(`${label}</`);
    expect(checkout).toContain('Billing information');
    expect(checkout).toContain('<input type="radio" name="paymentMethod" value="card" checked/> Credit card');
    expect(checkout).toContain('<input type="radio" name="paymentMethod" value="invoice" disabled/> Invoice me');
    expect(checkout).toContain('Proceed<small class="caption">Proceed to Third Party</small>');
    expect(checkout).toContain(`<a class="button secondary" href="/${paid.slug}/register?orderId=${orderId}">Back</a>`);
    // The countdown box: the conference's 15-minute hold.
    expect(checkout).toContain(
      "Please complete registration within 15:00 minutes. After 15:00 minutes, the reservation we're holding will be released to others.",
    );
    expect(checkout).toMatch(/<aside class="countdown" data-remaining="(9\d\d|8\d\d)" data-expired-href="\/[^"]+\/expired\?orderId=/);

    const processor = expectPage(await toProcessor(browser, paid, orderId), 200);
    expect(processor).toContain('<h1>Simulated Third-party Payment Clearing Processor</h1>');
    expect(processor).toContain('Item: Registration for CQRS Summit');
    expect(processor).toContain('Amount: $1,097.00');
    expect(processor).toContain(`action="/${paid.slug}/third-party-payment/accept"`);
    expect(processor).toContain(`action="/${paid.slug}/third-party-payment/reject"`);

    const answer = { paymentId: hidden(processor, 'paymentId'), token: hidden(processor, 'token') };
    const accepted = await browser.post(`/${paid.slug}/third-party-payment/accept`, answer);
    expect(accepted.headers.location).toMatch(new RegExp(`^/${paid.slug}/confirmation\\?orderId=${orderId}&position=\\d+$`));
    const thanks = expectPage(await browser.follow(accepted), 200);
    const accessCode = /order #<strong class="access-code">([A-Z0-9]{6})<\/strong>/.exec(thanks)![1];
    expect(thanks).toContain('<h1>Thank you</h1>');
    expect(thanks).toContain('Registration success');
    expect(thanks).toContain('You have successfully submitted your registration!');
    expect(thanks).toContain(
      `You can access your order at any time to update or assign attendees using the provided e-mail address and the order locator code <strong>${accessCode}</strong>.`,
    );
    expect(thanks).toContain(`<a href="/${paid.slug}/order/${orderId}">Go to my registration</a>`);
    expect(thanks).toContain('Go to the Conference main page');
    expect(thanks).toContain('Proceed to Seat Assignment');
    expect(thanks).toContain('You can do this later from «Locate Registration»');

    // The token is used up.
    const again = expectPage(await browser.post(`/${paid.slug}/third-party-payment/accept`, answer), 409);
    expect(again).toContain('This payment link has been used already.');
    expectPage(await browser.get(`/payment?paymentId=${answer.paymentId}&token=${answer.token}`), 409);

    // A confirmed order's seat selection and checkout are the completed page.
    for (const url of [`/${paid.slug}/register?orderId=${orderId}`, `/${paid.slug}/registrant?orderId=${orderId}`]) {
      const completed = expectPage(await browser.get(url), 200);
      expect(completed).toContain('<h1>Your order has been completed</h1>');
      expect(completed).toContain(`<a href="/${paid.slug}/register">start a new order</a>`);
      expect(completed).toContain(`<a href="/${paid.slug}/">conference home page</a>`);
    }
  });

  it('brings a rejected payment back to checkout with the notice, and the order stays payable', async () => {
    const browser = registrant();
    const { orderId } = await placeOrder(browser, paid, [1]);
    const processor = (await toProcessor(browser, paid, orderId)).body;
    const rejected = await browser.post(`/${paid.slug}/third-party-payment/reject`, { paymentId: hidden(processor, 'paymentId'), token: hidden(processor, 'token') });
    const checkout = await browser.follow(rejected);
    expect(checkout.url).toMatch(new RegExp(`^/${paid.slug}/registrant\\?orderId=${orderId}`));
    const body = expectPage(checkout, 200);
    expect(body).toContain('Your payment was not completed. You can try again before the reservation expires.');
    // The registrant's details are kept from the first attempt.
    expect(body).toContain('value="Lovelace"');

    const second = (await toProcessor(browser, paid, orderId)).body;
    const accepted = await browser.post(`/${paid.slug}/third-party-payment/accept`, { paymentId: hidden(second, 'paymentId'), token: hidden(second, 'token') });
    expect(expectPage(await browser.follow(accepted), 200)).toContain('<h1>Thank you</h1>');
  });

  it('refuses a processor link with a wrong token, or opened in another browser', async () => {
    const browser = registrant();
    const { orderId } = await placeOrder(browser, paid, [1]);
    const processor = await toProcessor(browser, paid, orderId);
    const paymentId = hidden(processor.body, 'paymentId');
    expect(expectPage(await browser.get(`/payment?paymentId=${paymentId}&token=not-the-token`), 404)).toContain('This payment link is not valid.');
    // The token was issued to the registrant's session.
    const other = registrant();
    expectPage(await other.get(processor.url), 404);
    await other.get(`/${paid.slug}/order/find`);
    const answered = await other.post(`/${paid.slug}/third-party-payment/accept`, { paymentId, token: hidden(processor.body, 'token') });
    expect(expectPage(answered, 404)).toContain('This payment link is not valid.');
    // Still good for its own browser.
    expectPage(await browser.get(processor.url), 200);
  });

  it('confirms a free order at checkout, without billing, straight to the thank-you page', async () => {
    const browser = registrant();
    const { page, orderId } = await placeOrder(browser, free, [2]);
    const checkout = expectPage(page, 200);
    expect(checkout).not.toContain('Billing information');
    expect(checkout).not.toContain('Proceed to Third Party');
    const sent = await browser.post(`/${free.slug}/registrant?orderId=${orderId}`, registrantForm());
    expect(sent.headers.location).toMatch(new RegExp(`^/${free.slug}/confirmation\\?orderId=${orderId}`));
    expect(expectPage(await browser.follow(sent), 200)).toContain('<h1>Thank you</h1>');
  });

  it('checks the registrant on the server: confirmation e-mail, required fields, values kept and escaped', async () => {
    const browser = registrant();
    const { orderId } = await placeOrder(browser, paid, [1]);
    const url = `/${paid.slug}/registrant?orderId=${orderId}`;
    const mismatch = expectPage(await browser.post(url, registrantForm({ firstName: SCRIPT, confirmEmail: 'other@example.com' })), 422);
    expect(mismatch).toContain('<span class="field-error">E-Mail addresses do not match.</span>');
    expect(mismatch).toContain(`value="${ESCAPED}"`);
    expect(mismatch).not.toContain(SCRIPT);
    const empty = expectPage(await browser.post(url, registrantForm({ lastName: ' ', confirmEmail: '' })), 422);
    expect(empty).toContain('Please confirm the e-mail address.');
    expect(empty).toContain('The LastName field is required.');
    expect(empty).toContain('value="Ada"');
  });

  it('refuses forms without the CSRF token', async () => {
    const browser = registrant();
    await browser.get(`/${paid.slug}/register`);
    const response = await browser.post(`/${paid.slug}/register`, { [`quantity-${paid.seatTypeIds[0]}`]: '1' }, { csrf: false });
    expect(expectPage(response, 403)).toContain('This form has expired or did not come from this site.');
    const { orderId } = await placeOrder(browser, paid, [1]);
    for (const url of [`/${paid.slug}/registrant?orderId=${orderId}`, `/${paid.slug}/order/find`, `/${paid.slug}/third-party-payment/accept`]) {
      expectPage(await browser.post(url, registrantForm(), { csrf: false }), 403);
    }
  });

  it('lets only the session that placed or located an order open its pages', async () => {
    const owner = registrant();
    const { orderId } = await placeOrder(owner, paid, [1]);
    const stranger = registrant();
    for (const path of [`register?orderId=${orderId}`, `registrant?orderId=${orderId}`, `confirmation?orderId=${orderId}`, `expired?orderId=${orderId}`, `order/${orderId}`, `order/${orderId}/seats`]) {
      const response = await stranger.get(`/${paid.slug}/${path}`);
      expect(response.statusCode, path).toBe(303);
      expect(response.headers.location, path).toBe(`/${paid.slug}/order/find`);
    }
    // Nor does the path of another conference lead to it, even for its owner.
    const elsewhere = await owner.get(`/${free.slug}/order/${orderId}`);
    expect(elsewhere.headers.location).toBe(`/${free.slug}/order/find`);
    await stranger.get(`/${paid.slug}/order/find`);
    const posted = await stranger.post(`/${paid.slug}/registrant?orderId=${orderId}`, registrantForm());
    expect(posted.headers.location).toBe(`/${paid.slug}/order/find`);
  });

  it('locates an order by e-mail and order code, which opens its pages to this session', async () => {
    const owner = registrant();
    const { orderId } = await placeOrder(owner, free, [1]);
    await owner.follow(await owner.post(`/${free.slug}/registrant?orderId=${orderId}`, registrantForm({ email: 'grace@example.com', confirmEmail: 'grace@example.com' })));
    const accessCode = /order #<strong class="access-code">(\w{6})</.exec((await owner.get(`/${free.slug}/confirmation?orderId=${orderId}`)).body)![1];

    const other = registrant();
    const otherCase = await other.get(`/${free.slug.toUpperCase()}/order/find`);
    expect(otherCase.statusCode).toBe(301);
    expect(otherCase.headers.location).toBe(`/${free.slug}/order/find`);
    const form = expectPage(await other.get(`/${free.slug}/order/find`), 200);
    expect(form).toContain('Email address:*');
    expect(form).toContain('Order #:*');
    expect(form).toContain('>Find</button>');
    const failed = expectPage(await other.post(`/${free.slug}/order/find`, { email: 'Grace@Example.com', accessCode: 'WRONG1' }), 422);
    expect(failed).toContain('No order was found for this e-mail address and order number.');
    expect(failed).toContain('value="Grace@Example.com"');
    const found = await other.post(`/${free.slug}/order/find`, { email: 'GRACE@example.com', accessCode: accessCode.toLowerCase() });
    expect(found.headers.location).toBe(`/${free.slug}/order/${orderId}`);
    const details = expectPage(await other.follow(found), 200);
    expect(details).toContain('<h1>Registration details</h1>');
    expect(details).toContain('<h2>Order details</h2>');
    expect(details).toContain(`<dd class="access-code">${accessCode}</dd>`);
    expect(details).toContain('<dd class="status">Completed</dd>');
    expect(details).toContain(`<a class="button" href="/${free.slug}/order/${orderId}/seats">Assign seats to attendees</a>`);
  });

  it('answers 429 after ten failed look-ups of one e-mail', async () => {
    const browser = registrant();
    await browser.get(`/${free.slug}/order/find`);
    for (let attempt = 0; attempt < 10; attempt++) {
      expectPage(await browser.post(`/${free.slug}/order/find`, { email: 'nobody@example.com', accessCode: 'AAAAAA' }), 422);
    }
    const limited = await browser.post(`/${free.slug}/order/find`, { email: 'nobody@example.com', accessCode: 'AAAAAA' });
    expect(expectPage(limited, 429)).toContain('Too many attempts. Please try again later.');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('assigns seats: every row validated first, then assigned or freed; names escaped', async () => {
    const browser = registrant();
    const { orderId } = await placeOrder(browser, free, [2]);
    await browser.follow(await browser.post(`/${free.slug}/registrant?orderId=${orderId}`, registrantForm()));
    const seatsUrl = `/${free.slug}/order/${orderId}/seats`;
    const form = expectPage(await browser.get(seatsUrl), 200);
    expect(form).toContain('<h1>Assign Seats</h1>');
    expect(form).toContain('Please assign your purchased seats to the attendees.');
    for (const heading of ['Seat type', 'First name', 'Last name', 'Email']) expect(form).toContain(`<th>${heading}</th>`);
    expect(form).toContain('Attendees will be notified by e-mail');
    expect(form.match(/<td>Community pass<\/td>/g)).toHaveLength(2);

    const invalid = expectPage(
      await browser.post(seatsUrl, { 'firstName-0': SCRIPT, 'lastName-0': 'Hopper', 'email-0': 'grace@example.com', 'firstName-1': 'Alan', 'lastName-1': '', 'email-1': 'alan@example.com' }),
      422,
    );
    expect(invalid).toContain('The LastName field is required.');
    expect(invalid).not.toContain(SCRIPT);
    expect(await server.store.readLog({ after: 0, limit: 1000, types: ['SeatAssigned'] })).toEqual([]);

    const saved = await browser.post(seatsUrl, { 'firstName-0': SCRIPT, 'lastName-0': 'Hopper', 'email-0': 'grace@example.com', 'firstName-1': '', 'lastName-1': '', 'email-1': '' });
    expect(saved.headers.location).toMatch(new RegExp(`^/${free.slug}/order/${orderId}`));
    await settle(server);
    const stored = expectPage(await browser.get(seatsUrl), 200);
    expect(stored).toContain(`value="${ESCAPED}"`);
    expect(stored).toContain('value="grace@example.com"');
    expect(stored).not.toContain(SCRIPT);

    // Blanking the e-mail frees the seat.
    await browser.post(seatsUrl, { 'firstName-0': SCRIPT, 'lastName-0': 'Hopper', 'email-0': '' });
    await settle(server);
    expect((await browser.get(seatsUrl)).body).not.toContain('grace@example.com');
  });

  it('shows "Seats can be assigned once the order is completed." before confirmation', async () => {
    const browser = registrant();
    const { orderId } = await placeOrder(browser, paid, [1]);
    const details = expectPage(await browser.get(`/${paid.slug}/order/${orderId}`), 200);
    expect(details).toContain('Seats can be assigned once the order is completed.');
    expect(details).not.toContain('Assign seats to attendees');
    const seats = await browser.get(`/${paid.slug}/order/${orderId}/seats`);
    expect(seats.headers.location).toBe(`/${paid.slug}/order/${orderId}`);
  });

  it('keeps a partly reserved order on seat selection with the warning', async () => {
    const conference = await publishConference(server, [{ name: 'Workshop', price: 50_000, quantity: 3 }]);
    const first = await placeOrder(registrant(), conference, [2]);
    expect(expectPage(first.page, 200)).toContain('Seats information');
    // One seat is left of the five the next order asks for.
    const browser = registrant();
    const { page, orderId } = await placeOrder(browser, conference, [5]);
    expect(page.url).toMatch(new RegExp(`^/${conference.slug}/register\\?orderId=${orderId}`));
    const body = expectPage(page, 200);
    expect(body).toContain('<tbody class="shortfall">');
    expect(body).toContain('Could not reserve all the requested seats. The seat quantity is set to the available seats.');
    expect(body).toMatch(/<option value="1" selected>1<\/option><\/select>/);
    expect(body).toContain('Estimated Total: <output>$500.00</output>');
    expect(body).toMatch(/<aside class="countdown"/);

    // Accepting what was obtained: the seat selection is sent again, and checkout follows.
    const accepted = await browser.follow(await browser.post(`/${conference.slug}/register`, seatSelectionForm(body, choose(conference, [1]))));
    expect(accepted.url).toMatch(new RegExp(`^/${conference.slug}/registrant\\?orderId=${orderId}`));
    expect(expectPage(accepted, 200)).toMatch(/Total:<\/th><td class="number total">\$500\.00/);

    // Nothing is left for anyone else.
    const soldOut = expectPage(await registrant().get(`/${conference.slug}/register`), 200);
    expect(soldOut).toMatch(/Workshop.*Sold out/s);
  });

  it('hides an unpublished conference from new orders but keeps its orders open, refusing seat changes', async () => {
    const conference = await publishConference(server, [{ name: 'General admission', price: 10_000, quantity: 10 }]);
    const browser = registrant();
    const { orderId } = await placeOrder(browser, conference, [1]);
    const management = await server.app.inject({
      method: 'POST',
      url: `/api/management/conferences/${conference.slug}/unpublish`,
      headers: { authorization: `Basic ${Buffer.from(`${conference.ownerEmail}:${conference.accessCode}`).toString('base64')}` },
    });
    expect(management.statusCode).toBe(200);
    await settle(server);
    for (const url of [`/${conference.slug}/`, `/${conference.slug}/register`]) expect(expectPage(await browser.get(url), 404)).toContain('Invalid conference code.');
    const selection = expectPage(await browser.get(`/${conference.slug}/register?orderId=${orderId}`), 200);
    expect(selection).toContain('Registration for this conference is closed.');
    const change = await browser.post(`/${conference.slug}/register`, seatSelectionForm(selection, choose(conference, [2])));
    expect(expectPage(change, 409)).toContain('Registration for this conference is closed.');
    expect(expectPage(await browser.get(`/${conference.slug}/registrant?orderId=${orderId}`), 200)).toContain('Seats information');
    expectPage(await browser.get(`/${conference.slug}/order/find`), 200);
  });

  it('serves its scripts and stylesheet from this origin', async () => {
    for (const [file, type] of [
      ['countdown.js', 'javascript'],
      ['seat-selection.js', 'javascript'],
      ['checkout.js', 'javascript'],
      ['registration.css', 'css'],
    ]) {
      const response: LightMyRequestResponse = await server.app.inject({ url: `/assets/${file}` });
      expect(response.statusCode, file).toBe(200);
      expect(response.headers['content-type'], file).toContain(type);
    }
  });
});

describe('the public registration pages around the hold', () => {
  /** Places an order of one seat in a fresh browser; answers the browser and the order id. */
  async function holdOneSeat(server: TestServer, conference: PublishedConference) {
    const browser = new Registrant(server);
    const selection = expectPage(await browser.get(`/${conference.slug}/register`), 200);
    const placed = await browser.post(`/${conference.slug}/register`, seatSelectionForm(selection, { [conference.seatTypeIds[0]]: 1 }));
    expect(placed.statusCode, placed.body).toBe(303);
    return { browser, orderId: orderIdOf(String(placed.headers.location)) };
  }

  describe('once the seats are released', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await registrationServer({ RESERVATION_HOLD_SECONDS: '1', SEAT_RELEASE_BUFFER_SECONDS: '0' });
      server.processing!.start();
    });
    afterAll(() => server?.close());

    it('shows the expired page, and sends every page of the order there', async () => {
      const conference = await publishConference(server, [{ name: 'General admission', price: 19_900, quantity: 10 }]);
      const { browser, orderId } = await holdOneSeat(server, conference);
      const expired = await eventually(async () => {
        const body = (await browser.get(`/${conference.slug}/expired?orderId=${orderId}`)).body;
        return body.includes('The seats reserved for it have been released.') && body;
      });
      expect(expired).toContain('<h1>Your order has expired</h1>');
      expect(expired).toContain(`<a href="/${conference.slug}/register">start a new order</a>`);
      expect(expired).toContain(`<a href="/${conference.slug}/">conference home page</a>`);
      for (const url of [`/${conference.slug}/register?orderId=${orderId}`, `/${conference.slug}/registrant?orderId=${orderId}`]) {
        expect((await browser.get(url)).headers.location, url).toBe(`/${conference.slug}/expired?orderId=${orderId}`);
      }
      const checkout = await browser.post(`/${conference.slug}/registrant?orderId=${orderId}`, {
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: 'ada@example.com',
        confirmEmail: 'ada@example.com',
      });
      expect(checkout.headers.location).toBe(`/${conference.slug}/expired?orderId=${orderId}`);
    });
  });

  describe('while the hold is over but the seats are not released yet', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await registrationServer({ RESERVATION_HOLD_SECONDS: '1', SEAT_RELEASE_BUFFER_SECONDS: '600' });
      server.processing!.start();
    });
    afterAll(() => server?.close());

    it('says the seats will be released shortly', async () => {
      const conference = await publishConference(server, [{ name: 'General admission', price: 19_900, quantity: 10 }]);
      const { browser, orderId } = await holdOneSeat(server, conference);
      const body = await eventually(async () => {
        const page = (await browser.get(`/${conference.slug}/expired?orderId=${orderId}`)).body;
        return page.includes('Your order has expired') && page;
      });
      expect(body).toContain('The seats reserved for it will be released shortly.');
    });
  });

  describe('when the read models do not catch up', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await registrationServer();
      server.processing!.start();
    });
    afterAll(() => server?.close());

    it('shows the waiting page, which reloads itself', async () => {
      const conference = await publishConference(server, [{ name: 'General admission', price: 19_900, quantity: 10 }]);
      // Nothing is processed from now on: the order is placed, its reservation never comes.
      await server.processing!.stop();
      const { browser, orderId } = await holdOneSeat(server, conference);
      const waiting = await browser.get(`/${conference.slug}/registrant?orderId=${orderId}`);
      expect(waiting.headers.refresh).toBe('5');
      const body = expectPage(waiting, 200);
      expect(body).toContain('<h1>Cannot determine the state of the registration</h1>');
      expect(body).toContain('Please wait until the request is processed.');
      expect(body).toContain(
        'The page will refresh automatically in 5 seconds. If this does not happen, please refresh the page by clicking the refresh button in your browser.',
      );
      expect(body).toContain('<meta http-equiv="refresh" content="5"/>');
    });
  });
});
