import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMessageRegistry } from '../../src/app/registry.ts';
import { conferenceBySlug, seatTypesOf } from '../../src/contexts/conference-management/records.ts';
import { listEmails } from '../../src/contexts/notifications/email-log.ts';
import { catalogueProjection } from '../../src/contexts/registration/catalogue/projection.ts';
import { writtenPosition } from '../support/conference-events.ts';
import { type TestServer, testServer } from '../web/server-fixture.ts';

/** Debian's chromium, run as root without a sandbox (STACK.md); Playwright gives it a fresh profile directory. */
const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};

describe('the management site in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  let base: string;
  let page: Page;
  /** Script errors and console errors (CSP violations among them): a page must cause none. */
  let problems: string[];

  beforeAll(async () => {
    server = await testServer({ registry: createMessageRegistry(), handlers: [catalogueProjection], env: { CONFERENCE_CREATION_LIMIT: '0' } });
    server.processing!.start();
    base = await server.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch(CHROMIUM);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  beforeEach(async () => {
    page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    problems = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
  });
  afterEach(async () => {
    await page.close();
    expect(problems).toEqual([]);
  });

  const slug = 'Browser_Conf_2030';
  const email = 'browser.owner@example.com';

  it('creates a conference, logs out and in again, adds seat types with htmx, publishes it, and the public site lists it', async () => {
    // Create through the form.
    await page.goto(`${base}/manage`);
    await page.getByRole('link', { name: 'Create Conference' }).click();
    await page.getByLabel('Name:*', { exact: true }).fill('Bea Browser');
    await page.getByLabel('Email address:*', { exact: true }).fill(email);
    await page.getByLabel('Title:*', { exact: true }).fill('Browser Conference');
    await page.getByLabel('Tagline:', { exact: true }).fill('Clicked, not injected');
    await page.getByLabel('Slug/conference code:*', { exact: true }).fill(slug);
    await page.getByLabel('Location:*', { exact: true }).fill('Chromium Hall');
    await page.getByLabel('Description:*', { exact: true }).fill('Line one\nLine two');
    await page.getByLabel('Start date:*', { exact: true }).fill('2030-09-01');
    await page.getByLabel('End date:*', { exact: true }).fill('2030-09-02');
    expect(await page.getByLabel('Reservation hold (minutes):', { exact: true }).inputValue()).toBe('15');
    await page.getByRole('button', { name: 'Save conference' }).click();
    await page.waitForURL(`${base}/manage/${slug}/`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Conference details');
    expect(await page.locator('dd.status').textContent()).toBe('Not published');
    const shownCode = await page.locator('dd.access-code').textContent();

    // The access code, as the owner reads it in the e-mail.
    const mail = await listEmails(server.store.db, { recipients: [email], limit: 10 });
    const accessCode = /Access code: (\w{6})/.exec(mail!.emails[0].body)![1];
    expect(accessCode).toBe(shownCode);

    // Log out, and back in.
    expect(await page.locator('.top-bar .owner').textContent()).toBe('Bea Browser');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${base}/manage`);
    await page.goto(`${base}/manage/${slug}/`);
    await page.waitForURL(`${base}/manage/locate`);
    await page.getByLabel('Login (E-mail):*').fill(email.toUpperCase());
    await page.getByLabel('Access code:*').fill(accessCode.toLowerCase());
    await page.getByRole('button', { name: 'Login' }).click();
    await page.waitForURL(`${base}/manage/${slug}/`);

    // Seat types in the grid, each row fetched and posted by htmx: the page is never reloaded.
    await page.getByRole('link', { name: 'Configure seats' }).click();
    await page.waitForURL(`${base}/manage/${slug}/seats`);
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    const editing = page.locator('tr.editing');

    await page.getByRole('link', { name: 'Add new seat type' }).click();
    await editing.waitFor();
    await editing.getByRole('link', { name: 'Cancel' }).click();
    await editing.waitFor({ state: 'detached' });

    await page.getByRole('link', { name: 'Add new seat type' }).click();
    await editing.getByLabel('Seat type').fill('X');
    await editing.getByLabel('Description').fill('Both days');
    await editing.getByLabel('Quota').fill('100');
    await editing.getByLabel('Price').fill('199');
    await editing.getByRole('button', { name: 'Create' }).click();
    await editing.getByText('The Seat type field must be at least 2 characters.').waitFor();
    expect(await editing.getByLabel('Price').inputValue()).toBe('199');
    await editing.getByLabel('Seat type').fill('Full pass');
    await editing.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('link', { name: 'Full pass' }).waitFor();
    await editing.waitFor({ state: 'detached' });

    await page.getByRole('link', { name: 'Add new seat type' }).click();
    await editing.getByLabel('Seat type').fill('Workshop');
    await editing.getByLabel('Description').fill('Hands-on, day one');
    await editing.getByLabel('Quota').fill('20');
    await editing.getByLabel('Price').fill('1,250.50');
    await editing.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('link', { name: 'Workshop' }).waitFor();

    // Clicking a name edits its row.
    await page.getByRole('link', { name: 'Full pass' }).click();
    await editing.getByLabel('Quota').fill('150');
    await editing.getByRole('button', { name: 'Save' }).click();
    await editing.waitFor({ state: 'detached' });
    const fullPass = page.locator('tr', { has: page.getByRole('link', { name: 'Full pass' }) });
    expect(await fullPass.locator('td').allTextContents()).toEqual(['Full pass', 'Both days', '150', '$199.00', 'Delete']);

    // Deleting asks first.
    await page.getByRole('link', { name: 'Add new seat type' }).click();
    await editing.getByLabel('Seat type').fill('Temporary');
    await editing.getByLabel('Description').fill('Gone soon');
    await editing.getByLabel('Quota').fill('1');
    await editing.getByLabel('Price').fill('0');
    await editing.getByRole('button', { name: 'Create' }).click();
    const temporary = page.locator('tr', { has: page.getByRole('link', { name: 'Temporary' }) });
    const questions: string[] = [];
    page.once('dialog', (dialog) => {
      questions.push(dialog.message());
      void dialog.accept();
    });
    await temporary.getByRole('link', { name: 'Delete' }).click();
    await temporary.waitFor({ state: 'detached' });
    expect(questions).toEqual(['Are you sure you want to delete?']);

    expect(page.url()).toBe(`${base}/manage/${slug}/seats`);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    const conference = (await conferenceBySlug(server.store.db, slug))!;
    expect((await seatTypesOf(server.store.db, conference.id)).map(({ name, quantity, price }) => ({ name, quantity, price }))).toEqual([
      { name: 'Full pass', quantity: 150, price: 19_900 },
      { name: 'Workshop', quantity: 20, price: 125_050 },
    ]);

    // Publish.
    await page.getByRole('link', { name: 'Conference details' }).click();
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.waitForURL(`${base}/manage/${slug}/`);
    expect(await page.locator('dd.status').textContent()).toBe('Published');
    await page.getByRole('button', { name: 'Unpublish' }).waitFor();

    // The dashboard draws its charts with Chart.js.
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForFunction(() => {
      const chart = (window as unknown as { Chart?: { getChart(id: string): unknown } }).Chart;
      return chart?.getChart('seats-chart') !== undefined;
    });

    // The public site lists it once Registration's catalogue has caught up.
    expect(await server.processing!.waitFor(catalogueProjection.name, await writtenPosition(server.store), 10_000)).toBe(true);
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Browser Conference' }).click();
    await page.waitForURL(`${base}/${slug}/`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Browser Conference');
  });
});
