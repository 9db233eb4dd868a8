import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type PublishedConference, publishConference, registrationServer } from '../web/registration-site-fixture.ts';
import type { TestServer } from '../web/server-fixture.ts';

/** Debian's chromium, run as root without a sandbox (STACK.md); Playwright gives it a fresh profile directory. */
const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};

/** A server running every handler, listening on a free port, and a browser. */
function site(env: Record<string, string> = {}) {
  const state = {} as { server: TestServer; base: string; browser: Browser; contexts: BrowserContext[]; problems: string[] };

  beforeAll(async () => {
    state.server = await registrationServer(env);
    state.server.processing!.start();
    state.base = await state.server.app.listen({ port: 0, host: '127.0.0.1' });
    state.browser = await chromium.launch(CHROMIUM);
    state.contexts = [];
    state.problems = [];
  });
  afterAll(async () => {
    await state.browser?.close();
    await state.server?.close();
  });
  afterEach(async () => {
    for (const context of state.contexts.splice(0)) await context.close();
    // Script errors and console errors (CSP violations among them): no page may cause any.
    expect(state.problems.splice(0)).toEqual([]);
  });

  /** A page in a browser context of its own (its own cookies: another registrant). */
  async function newPage(): Promise<Page> {
    const context = await state.browser.newContext();
    state.contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => state.problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // A form shown again with its errors answers 422, which the browser reports too.
      if (message.type() === 'error' && !message.text().includes('status of 422')) state.problems.push(`console: ${message.text()}`);
    });
    return page;
  }

  return Object.assign(state, { newPage });
}

/** The quantity selector of a seat type on the seat-selection page (its label is the seat type's name). */
const quantity = (page: Page, seatType: string) => page.getByLabel(seatType, { exact: true });

describe('registering in a browser', () => {
  const web = site();
  let conference: PublishedConference;
  let free: PublishedConference;

  beforeAll(async () => {
    conference = await publishConference(web.server, [
      { name: 'General admission', price: 19_900, quantity: 100 },
      { name: 'Workshop', price: 50_000, quantity: 2 },
      { name: 'Community pass', price: 5_000, quantity: 0 },
    ]);
    free = await publishConference(web.server, [{ name: 'Free pass', price: 0, quantity: 10 }], { name: 'Free Conference' });
  });

  it('pays for seats through the processor, then locates the order and assigns a seat', async () => {
    const page = await web.newPage();
    await page.goto(`${web.base}/${conference.slug}/`);
    await page.getByRole('link', { name: 'Register now' }).click();
    await page.waitForURL(`${web.base}/${conference.slug}/register`);

    // The estimated total follows the selectors; a seat type without seats is sold out.
    const estimated = page.locator('.estimated-total output');
    expect(await estimated.textContent()).toBe('$0.00');
    await quantity(page, 'General admission').selectOption('2');
    await expect.poll(() => estimated.textContent()).toBe('$398.00');
    await quantity(page, 'Workshop').selectOption('1');
    await expect.poll(() => estimated.textContent()).toBe('$898.00');
    expect(await page.locator('tbody', { hasText: 'Community pass' }).locator('td').last().textContent()).toBe('Sold out');
    await page.getByRole('button', { name: 'Order now' }).click();

    // Checkout, with the countdown ticking from the server's figure.
    await page.waitForURL(/\/registrant\?orderId=/);
    const orderId = new URL(page.url()).searchParams.get('orderId')!;
    expect(await page.locator('.seat-lines .total').textContent()).toBe('$898.00');
    const countdown = page.locator('.countdown-time');
    const first = await countdown.textContent();
    expect(first).toMatch(/^1[45]:\d\d$/);
    await expect.poll(() => countdown.textContent(), { timeout: 5000 }).not.toBe(first);
    expect(await page.locator('.countdown').textContent()).toContain('Please complete registration within 15:00 minutes.');

    await page.getByLabel('First Name:*').fill('Ada');
    await page.getByLabel('Last Name:*').fill('Lovelace');
    await page.getByLabel('Email address:*').fill('ada@example.com');
    // The browser checks the confirmation before sending.
    const confirmation = page.getByLabel('Confirm e-mail:*');
    expect(await confirmation.evaluate((input: HTMLInputElement) => input.validationMessage)).toBe('Please confirm the e-mail address.');
    await confirmation.fill('ada@example.org');
    await page.getByRole('button', { name: /Proceed/ }).click();
    expect(await confirmation.evaluate((input: HTMLInputElement) => input.validationMessage)).toBe('E-Mail addresses do not match.');
    expect(page.url()).toContain('/registrant?orderId=');
    await confirmation.fill('ADA@example.com');
    await page.getByRole('button', { name: /Proceed/ }).click();

    // The simulated processor.
    await page.waitForURL(/\/payment\?paymentId=.+&token=/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Simulated Third-party Payment Clearing Processor');
    expect(await page.locator('.payment-item').textContent()).toBe('Item: Registration for CQRS Summit');
    expect(await page.locator('.payment-amount').textContent()).toBe('Amount: $898.00');
    await page.getByRole('button', { name: 'accepted' }).click();

    await page.waitForURL(new RegExp(`/${conference.slug}/confirmation\\?orderId=${orderId}`));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Thank you');
    const accessCode = (await page.locator('.access-code').textContent())!;
    expect(accessCode).toMatch(/^[A-Z1-9]{6}$/);

    // Another browser finds the order with the e-mail and the order code.
    const other = await web.newPage();
    await other.goto(`${web.base}/${conference.slug}/order/${orderId}`);
    await other.waitForURL(`${web.base}/${conference.slug}/order/find`);
    await other.getByLabel('Email address:*').fill('ada@example.com');
    await other.getByLabel('Order #:*').fill('ZZZZZZ');
    await other.getByRole('button', { name: 'Find' }).click();
    await other.getByText('No order was found for this e-mail address and order number.').waitFor();
    expect(await other.getByLabel('Email address:*').inputValue()).toBe('ada@example.com');
    await other.getByLabel('Order #:*').fill(accessCode.toLowerCase());
    await other.getByRole('button', { name: 'Find' }).click();
    await other.waitForURL(`${web.base}/${conference.slug}/order/${orderId}`);
    expect(await other.locator('.status').textContent()).toBe('Completed');

    // Assign the first seat.
    await other.getByRole('link', { name: 'Assign seats to attendees' }).click();
    await other.waitForURL(`${web.base}/${conference.slug}/order/${orderId}/seats`);
    expect(await other.locator('tbody tr').count()).toBe(3);
    await other.getByLabel('First name (seat 1)').fill('Grace');
    await other.getByLabel('Last name (seat 1)').fill('Hopper');
    await other.getByLabel('Email (seat 1)').fill('grace@example.com');
    await other.getByRole('button', { name: 'Save' }).click();
    await other.waitForURL(new RegExp(`/${conference.slug}/order/${orderId}(\\?position=\\d+)?$`));
    await other.getByRole('link', { name: 'Assign seats to attendees' }).click();
    expect(await other.getByLabel('Email (seat 1)').inputValue()).toBe('grace@example.com');
  });

  it('confirms a free order without the processor', async () => {
    const page = await web.newPage();
    await page.goto(`${web.base}/${free.slug}/register`);
    await quantity(page, 'Free pass').selectOption('2');
    await page.getByRole('button', { name: 'Order now' }).click();
    await page.waitForURL(/\/registrant\?orderId=/);
    expect(await page.getByText('Billing information').count()).toBe(0);
    await page.getByLabel('First Name:*').fill('Alan');
    await page.getByLabel('Last Name:*').fill('Turing');
    await page.getByLabel('Email address:*').fill('alan@example.com');
    await page.getByLabel('Confirm e-mail:*').fill('alan@example.com');
    await page.getByRole('button', { name: 'Proceed' }).click();
    await page.waitForURL(/\/confirmation\?orderId=/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Thank you');
  });

  it('warns on the seat selection when fewer seats were reserved than asked for, and shows a sold-out seat type', async () => {
    const workshop = await publishConference(web.server, [{ name: 'Workshop', price: 50_000, quantity: 2 }], { name: 'Workshop Conference' });
    // This registrant sees two seats…
    const page = await web.newPage();
    await page.goto(`${web.base}/${workshop.slug}/register`);
    await quantity(page, 'Workshop').selectOption('2');

    // …while another one takes one of them.
    const other = await web.newPage();
    await other.goto(`${web.base}/${workshop.slug}/register`);
    await quantity(other, 'Workshop').selectOption('1');
    await other.getByRole('button', { name: 'Order now' }).click();
    await other.waitForURL(/\/registrant\?orderId=/);

    await page.getByRole('button', { name: 'Order now' }).click();
    await page.waitForURL(/\/register\?orderId=/);
    await page.getByText('Could not reserve all the requested seats. The seat quantity is set to the available seats.').waitFor();
    expect(await page.locator('tbody.shortfall').count()).toBe(1);
    expect(await quantity(page, 'Workshop').inputValue()).toBe('1');
    await page.locator('.countdown').waitFor();

    // Both seats are held now: a third registrant finds the seat type sold out.
    const third = await web.newPage();
    await third.goto(`${web.base}/${workshop.slug}/register`);
    expect(await third.locator('tbody', { hasText: 'Workshop' }).locator('td').last().textContent()).toBe('Sold out');
  });
});

describe('a reservation that runs out in a browser', () => {
  const web = site({ RESERVATION_HOLD_SECONDS: '3', SEAT_RELEASE_BUFFER_SECONDS: '1' });

  it('counts down the short hold and opens the expired page at zero', async () => {
    const conference = await publishConference(web.server, [{ name: 'General admission', price: 19_900, quantity: 10 }]);
    const page = await web.newPage();
    await page.goto(`${web.base}/${conference.slug}/register`);
    await quantity(page, 'General admission').selectOption('1');
    await page.getByRole('button', { name: 'Order now' }).click();
    await page.waitForURL(/\/registrant\?orderId=/);
    expect(await page.locator('.countdown').textContent()).toContain(
      "Please complete registration within 00:03 minutes. After 00:03 minutes, the reservation we're holding will be released to others.",
    );
    await page.waitForURL(/\/expired\?orderId=/, { timeout: 15_000 });
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your order has expired');
    expect(await page.locator('main').textContent()).toMatch(/The seats reserved for it (will be released shortly|have been released)\./);
    await page.getByRole('link', { name: 'start a new order' }).waitFor();
  });
});
