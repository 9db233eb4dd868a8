import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessageRegistry } from '../../src/app/registry.ts';
import { catalogueProjection } from '../../src/contexts/registration/catalogue/projection.ts';
import { RESERVED_SLUGS } from '../../src/web/reserved-slugs.ts';
import {
  appendEvents,
  conferenceEvent,
  conferenceSnapshot,
  createConference,
  seatEvent,
  seatSnapshot,
  writtenPosition,
} from '../support/conference-events.ts';
import { STORE_KINDS } from '../support/stores.ts';
import { type TestServer, testServerOn } from './server-fixture.ts';

const SCRIPT = '<script>alert(1)</script>';
const browser = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe.each(STORE_KINDS)('the public pages on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await testServerOn(kind, { registry: createMessageRegistry(), handlers: [catalogueProjection] });
    server.processing!.start();
    await createConference(server.store, {
      conference: {
        slug: 'CQRS_2030',
        name: 'CQRS Journey Live',
        tagline: 'Seats, orders and events',
        description: 'Day one: commands.\nDay two: queries.',
        location: 'Contoso Hall, Seattle',
        twitterSearch: null,
        startDate: '2030-06-12',
        endDate: '2030-06-14',
      },
      seats: [
        { name: 'Conference pass', description: 'All three days', price: 119_700, quantity: 250 },
        { name: 'Workshop', description: 'Hands-on, day one', price: 0, quantity: 0 },
      ],
    });
    await createConference(server.store, {
      conference: { slug: 'xss', name: SCRIPT, tagline: SCRIPT, description: SCRIPT, location: SCRIPT, twitterSearch: SCRIPT },
      seats: [{ name: SCRIPT, description: SCRIPT }],
    });
    await createConference(server.store, { conference: { slug: 'draft', name: 'Draft conference' }, published: false });
    // Conference Management refuses reserved slugs; the pages must not rely on that.
    await createConference(server.store, { conference: { slug: 'static', name: 'Reserved word' } });
    // A seat type whose conference is not known yet (P4).
    await appendEvents(server.store, [seatEvent('SeatCreated', '0190a1b2-bbbb-7000-8000-000000000001', 0, seatSnapshot('0190a1b2-bbbb-7000-8000-000000000002'))]);
    await server.processing!.waitFor(catalogueProjection.name, await writtenPosition(server.store), 10_000);
  });
  afterAll(() => server.close());

  const page = (url: string) => server.app.inject({ url, headers: browser });

  function expectPage(response: Awaited<ReturnType<typeof page>>, status: number): string {
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body.startsWith('<!doctype html><html lang="en">')).toBe(true);
    expect(response.body).toContain('Contoso Conference Management System');
    expect(response.body).toContain('This is a sample application.');
    return response.body;
  }

  it('lists the published conferences on the home page', async () => {
    const body = expectPage(await page('/'), 200);
    expect(body).toContain('<h1>List of conferences</h1>');
    expect(body).toContain('Go to the specific conference page:');
    expect(body).toContain('<a href="/">All Events</a>');
    expect(body).toContain('<a href="/CQRS_2030/">CQRS Journey Live</a>');
    expect(body).toContain('Jun 12 – Jun 14, 2030');
    expect(body).not.toContain('Draft conference');
  });

  it('shows a conference: title, tagline, dates, location, description, Twitter search, seats and the way to register', async () => {
    const body = expectPage(await page('/CQRS_2030/'), 200);
    expect(body).toContain('<h1>CQRS Journey Live</h1>');
    expect(body).toContain('Seats, orders and events');
    expect(body).toContain('Jun 12 – Jun 14, 2030');
    expect(body).toContain('Contoso Hall, Seattle');
    expect(body).toContain('Day one: commands.\nDay two: queries.');
    expect(body).toContain('<a href="https://twitter.com/search?q=%23cqrsjourney">#cqrsjourney</a>');
    expect(body).toContain('<a class="button" href="/CQRS_2030/register">Register now</a>');
    expect(body).toContain('<a href="/CQRS_2030/order/find">Locate Registration</a>');
    expect(body).toMatch(/Conference pass.*All three days.*\$1,197\.00.*>250<.*Workshop.*\$0\.00.*Sold out/s);
  });

  it('redirects a slug in another case to the stored case', async () => {
    const response = await page('/cqrs_2030/');
    expect(response.statusCode).toBe(301);
    expect(response.headers.location).toBe('/CQRS_2030/');
  });

  it('redirects the slug without its trailing slash, in any case, to the conference page', async () => {
    for (const url of ['/CQRS_2030', '/cqrs_2030']) {
      const response = await page(url);
      expect(response.statusCode, url).toBe(301);
      expect(response.headers.location).toBe('/CQRS_2030/');
    }
    for (const url of ['/nowhere', '/draft']) expectPage(await page(url), 404);
  });

  it('answers the 404 page for unknown and unpublished conferences', async () => {
    for (const url of ['/nowhere/', '/draft/', '/DRAFT/']) {
      const body = expectPage(await page(url), 404);
      expect(body).toContain('Invalid conference code.');
    }
  });

  it('never takes a reserved word for a slug', async () => {
    expect((await page('/static/')).statusCode).toBe(404);
    for (const word of RESERVED_SLUGS) {
      for (const url of [`/${word}/`, `/${word.toUpperCase()}/`]) {
        // Other sites may serve some of these paths; none is ever looked up as a conference.
        const response = await page(url);
        expect(response.statusCode, url).not.toBe(301);
        expect(response.body, url).not.toContain('Reserved word');
        expect(response.body, url).not.toContain('Invalid conference code.');
      }
    }
  });

  it('escapes everything the owner typed', async () => {
    for (const url of ['/', '/xss/']) {
      const body = expectPage(await page(url), 200);
      expect(body).toContain('&lt;script>alert(1)&lt;/script>');
      expect(body).not.toContain(SCRIPT);
      // The only scripts are ours.
      expect(body.match(/<script/g)).toHaveLength(1);
    }
    const conference = (await page('/xss/')).body;
    expect(conference).toContain(`href="https://twitter.com/search?q=${encodeURIComponent(SCRIPT)}"`);
  });

  it('keeps answering JSON to the API for unknown routes, and the 404 page to browsers elsewhere', async () => {
    expect((await page('/api/nowhere')).json()).toEqual({ error: { code: 'not_found', message: 'No route GET /api/nowhere.' } });
    expect((await page('/api/')).headers['content-type']).toMatch(/^application\/json/);
    const body = expectPage(await page('/no/such/page'), 404);
    expect(body).toContain('The page you asked for does not exist.');
  });

  it('shows a conference defined after its seat types and publication arrived', async () => {
    const id = '0190a1b2-cccc-7000-8000-000000000001';
    await appendEvents(server.store, [
      seatEvent('SeatCreated', '0190a1b2-cccc-7000-8000-000000000002', 0, seatSnapshot(id, { name: 'Early seat' })),
      conferenceEvent('ConferencePublished', id, 1),
    ]);
    await server.processing!.waitFor(catalogueProjection.name, await writtenPosition(server.store), 10_000);
    expect((await page('/')).body).not.toContain('/late/');
    expectPage(await page('/late/'), 404);
    await appendEvents(server.store, [conferenceEvent('ConferenceCreated', id, 0, conferenceSnapshot({ slug: 'late', name: 'Late' }))]);
    await server.processing!.waitFor(catalogueProjection.name, await writtenPosition(server.store), 10_000);
    expect((await page('/')).body).toContain('<a href="/late/">Late</a>');
    expect(expectPage(await page('/late/'), 200)).toContain('Early seat');
  });
});
