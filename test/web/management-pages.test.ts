import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conference } from '../../src/contexts/conference-management/records.ts';
import { STORE_KINDS } from '../support/stores.ts';
import { BASE, newConferenceBody, storeState, tables } from './management-fixture.ts';
import { PageAgent, conferenceForm, expectLogin, expectPage, recordSeatSales, seatTypeForm } from './management-pages-fixture.ts';
import { type TestServer, testServerOn } from './server-fixture.ts';

const PUBLIC_URL = 'https://conference.example';
const SCRIPT = '<script>alert(1)</script>';
const TOO_MANY = 'Too many attempts. Please try again later.';
const LOCATE_FAILED = 'Could not locate a conference with the provided email and access code.';
const RECOVERY_ANSWER = 'If conferences exist for this address, we have e-mailed their access codes.';

/** Input `name` followed by its error, both in one field. */
const errorBeside = (name: string, message: string) => new RegExp(`id="${name}"[^>]*>([^<]*</textarea>)?<span class="field-error">${message.replace(/[.()]/g, '\\$&')}</span>`);

describe.each(STORE_KINDS)('the management site on %s', (kind) => {
  let server: TestServer;
  let ip = 0;
  /** An agent of its own client address: its failures never limit another test's. */
  const agent = () => new PageAgent(server, `203.0.113.${++ip}`);

  beforeAll(async () => {
    server = await testServerOn(kind, { env: { CONFERENCE_CREATION_LIMIT: '0', PUBLIC_URL } });
  });
  afterAll(() => server?.close());

  const emailsTo = (recipient: string) => tables(server.store).selectFrom('emails').selectAll().where('recipient', '=', recipient).orderBy('created_at').execute();

  it('offers log-in and conference creation on its home page', async () => {
    for (const url of ['/manage', '/manage/']) {
      const body = expectPage(await agent().get(url), 200);
      expect(body).toContain('<h1>Contoso Conference Management Portal</h1>');
      expect(body).toContain('<a class="button" href="/manage/locate">Log in</a>');
      expect(body).toContain('<a class="button" href="/manage/create">Create Conference</a>');
      expect(body).not.toContain('Log out');
    }
  });

  describe('log in', () => {
    it('asks for the owner e-mail and the masked access code', async () => {
      const body = expectPage(await agent().get('/manage/locate'), 200);
      expect(body).toContain('<h1>Login</h1>');
      expect(body).toContain('Please enter your email and conference access code to manage your conference:');
      expect(body).toContain('<label for="email">Login (E-mail):*</label>');
      expect(body).toContain('<label for="accessCode">Access code:*</label>');
      expect(body).toMatch(/<input id="accessCode" name="accessCode" type="password"/);
      expect(body).toContain('<button type="submit" class="button">Login</button>');
      expect(body).toContain('<a href="/manage/recover">Forgot your access code?</a>');
      expect(body).toMatch(/<form method="post" action="\/manage\/locate" class="form"><input type="hidden" name="_csrf" value="[^"]+"\/>/);
    });

    it('says which field is missing', async () => {
      const owner = agent();
      await owner.get('/manage/locate');
      const body = expectPage(await owner.post('/manage/locate', { email: ' ', accessCode: '' }), 422);
      expect(body).toMatch(errorBeside('email', 'e-mail field is required.'));
      expect(body).toMatch(errorBeside('accessCode', 'Access code is required.'));
    });

    it('keeps the e-mail after a failure, and logs in with the code in any case', async () => {
      const conference = await agent().createConference({ ownerEmail: 'Lena@Example.com' });
      const owner = agent();
      const wrongCode = conference.accessCode === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
      const failed = expectPage(await owner.logIn('lena@example.com', wrongCode), 422);
      expect(failed).toContain(LOCATE_FAILED);
      expect(failed).toContain('value="lena@example.com"');
      expect(failed).not.toContain(wrongCode);
      expectLogin(await owner.get(`/manage/${conference.slug}/`));

      const success = await owner.post('/manage/locate', { email: ' LENA@example.COM ', accessCode: conference.accessCode.toLowerCase() });
      expect(success.statusCode).toBe(303);
      expect(success.headers.location).toBe(`/manage/${conference.slug}/`);
      expect(expectPage(await owner.get(`/manage/${conference.slug}/`), 200)).toContain(conference.accessCode);
    });

    it('answers 429 after 10 failures for one e-mail from one client, even with the right code', async () => {
      const conference = await agent().createConference({ ownerEmail: 'limited@example.com' });
      const owner = agent();
      const other = await agent().createConference({ ownerEmail: 'unlimited@example.com' });
      for (let attempt = 0; attempt < 10; attempt++) expectPage(await owner.logIn('limited@example.com', 'WRONG1'), 422);
      for (const code of ['WRONG1', conference.accessCode]) {
        const response = await owner.logIn('LIMITED@example.com', code);
        const body = expectPage(response, 429);
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
        expect(body).toContain(TOO_MANY);
        expect(body).toContain('<h1>Login</h1>');
      }
      expectLogin(await owner.get(`/manage/${conference.slug}/`));
      // Other e-mails from that client, and that e-mail from other clients, are not limited.
      expect((await owner.logIn(other.ownerEmail, other.accessCode)).statusCode).toBe(303);
      expect((await agent().logIn(conference.ownerEmail, conference.accessCode)).statusCode).toBe(303);
    });
  });

  describe('access-code recovery', () => {
    it('always gives the same answer, and e-mails the codes of every conference of that owner', async () => {
      const page = expectPage(await agent().get('/manage/recover'), 200);
      expect(page).toContain('<label for="email">Email address:*</label>');
      const first = await agent().createConference({ ownerEmail: 'many@example.com', name: 'First conference', startDate: '2030-01-01', endDate: '2030-01-02' });
      const second = await agent().createConference({ ownerEmail: 'Many@Example.com', name: 'Second conference', startDate: '2031-01-01', endDate: '2031-01-02' });

      const owner = agent();
      await owner.get('/manage/recover');
      const answer = expectPage(await owner.post('/manage/recover', { email: 'MANY@example.com' }), 200);
      expect(answer).toContain(RECOVERY_ANSWER);
      const [email, ...more] = await emailsTo('MANY@example.com');
      expect(more).toEqual([]);
      for (const part of ['First conference', first.slug, first.accessCode, 'Second conference', second.slug, second.accessCode, `${PUBLIC_URL}/manage/locate`]) {
        expect(email.body).toContain(part);
      }
      expect(email.body.indexOf('First conference')).toBeLessThan(email.body.indexOf('Second conference'));

      const before = await storeState(server.store);
      const nobody = expectPage(await owner.post('/manage/recover', { email: 'nobody@example.com' }), 200);
      expect(nobody).toContain(RECOVERY_ANSWER);
      expect(await storeState(server.store)).toEqual(before);
      expect(expectPage(await owner.post('/manage/recover', { email: 'not an address' }), 422)).toMatch(errorBeside('email', 'The provided email address is not valid.'));
    });

    it('allows 10 requests per 15 minutes per client and per e-mail', async () => {
      const client = agent();
      await client.get('/manage/recover');
      for (let request = 0; request < 10; request++) expectPage(await client.post('/manage/recover', { email: `client${request}@example.com` }), 200);
      const limited = await client.post('/manage/recover', { email: 'client10@example.com' });
      expect(expectPage(limited, 429)).toContain(TOO_MANY);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

      for (let request = 0; request < 10; request++) {
        const someone = agent();
        await someone.get('/manage/recover');
        expectPage(await someone.post('/manage/recover', { email: 'target@example.com' }), 200);
      }
      const someone = agent();
      await someone.get('/manage/recover');
      expect(expectPage(await someone.post('/manage/recover', { email: 'TARGET@example.com' }), 429)).toContain(TOO_MANY);
    });
  });

  describe('create conference', () => {
    it('shows the form of DOMAIN 6.2', async () => {
      const body = expectPage(await agent().get('/manage/create'), 200);
      expect(body).toContain('<h1>Create conference</h1>');
      expect(body).toContain('<legend>Owner information</legend>');
      expect(body).toContain('<legend>Conference information</legend>');
      const labels = [...body.matchAll(/<label for="(\w+)">([^<]+)<\/label>/g)].map(([, field, label]) => `${field}=${label}`);
      expect(labels).toEqual([
        'ownerName=Name:*',
        'ownerEmail=Email address:*',
        'name=Title:*',
        'tagline=Tagline:',
        'slug=Slug/conference code:*',
        'location=Location:*',
        'twitterSearch=Twitter search:',
        'description=Description:*',
        'startDate=Start date:*',
        'endDate=End date:*',
        'reservationHoldMinutes=Reservation hold (minutes):',
      ]);
      expect(body).toMatch(/<textarea id="description" name="description"/);
      expect(body).toMatch(/<input id="startDate" name="startDate" required type="date"/);
      expect(body).toMatch(/<input id="endDate" name="endDate" required type="date"/);
      expect(body).toMatch(/<input id="reservationHoldMinutes" name="reservationHoldMinutes" type="number" value="15"/);
      expect(body).toContain('<button type="submit" class="button">Save conference</button>');
    });

    it('shows errors beside the fields, keeps what was typed and stores nothing', async () => {
      const owner = agent();
      await owner.get('/manage/create');
      const before = await storeState(server.store);
      const fields = conferenceForm({ name: ' ', ownerEmail: 'owner@', startDate: '', endDate: '2030-01-01', location: 'Kept <location>', reservationHoldMinutes: '61' });
      const body = expectPage(await owner.post('/manage/create', fields), 422);
      expect(body).toMatch(errorBeside('name', 'The Title field is required.'));
      expect(body).toMatch(errorBeside('ownerEmail', 'The provided email address is not valid.'));
      expect(body).toMatch(errorBeside('startDate', 'The Start date field is required.'));
      expect(body).toMatch(errorBeside('reservationHoldMinutes', 'The Reservation hold (minutes) field must be between 5 and 60.'));
      for (const kept of ['value="owner@"', 'value="Kept &lt;location>"', `value="${fields.slug}"`, 'value="2030-01-01"', 'value="61"', '>Two days of event sourcing.</textarea>']) {
        expect(body).toContain(kept);
      }
      expect(await storeState(server.store)).toEqual(before);

      const dates = expectPage(await owner.post('/manage/create', conferenceForm({ startDate: '2030-06-12', endDate: '2030-06-11' })), 422);
      expect(dates).toMatch(errorBeside('endDate', 'The end date must be on or after the start date.'));
    });

    it('puts a taken slug (in any case) on the slug field', async () => {
      const taken = await agent().createConference();
      const owner = agent();
      await owner.get('/manage/create');
      const before = await storeState(server.store);
      const body = expectPage(await owner.post('/manage/create', conferenceForm({ slug: taken.slug.toUpperCase(), name: 'Second try' })), 409);
      expect(body).toMatch(errorBeside('slug', 'The chosen conference slug is already taken.'));
      expect(body).toContain('value="Second try"');
      expect(await storeState(server.store)).toEqual(before);
      expect(expectPage(await owner.post('/manage/create', conferenceForm({ slug: 'Manage' })), 422)).toMatch(errorBeside('slug', 'This slug is reserved.'));
    });

    it('opens the new conference in the session, shows its access code and e-mails it', async () => {
      const owner = agent();
      const conference = await owner.createConference({ ownerEmail: 'fresh@example.com', reservationHoldMinutes: '' });
      expect(conference).toMatchObject({ isPublished: false, reservationHoldMinutes: 15 });
      const details = expectPage(await owner.get(`/manage/${conference.slug}/`), 200);
      expect(details).toContain(`<dd class="access-code">${conference.accessCode}</dd>`);
      const [email] = await emailsTo('fresh@example.com');
      expect(email.body).toContain(conference.accessCode);
      expect(email.body).toContain(`${PUBLIC_URL}/manage/locate`);
    });
  });

  describe('conference details', () => {
    it('shows the owner, the access code and every field, dates as yyyy/MM/dd', async () => {
      const owner = agent();
      const conference = await owner.createConference({ twitterSearch: '', reservationHoldMinutes: '20' });
      const body = expectPage(await owner.get(`/manage/${conference.slug}/`), 200);
      expect(body).toContain('<h1>Conference details</h1>');
      expect(body).toContain('<span class="owner">Olivia Owner</span>');
      expect(body).toMatch(/<form method="post" action="\/manage\/logout" class="inline logout"><input type="hidden" name="_csrf" value="[^"]+"\/><button type="submit" class="button">Log out<\/button><\/form>/);
      for (const [label, value] of [
        ['Name', 'Olivia Owner'],
        ['Email address', 'olivia@example.com'],
        ['Title', 'CQRS Summit'],
        ['Tagline', 'Commands and queries, apart'],
        ['Slug/conference code', conference.slug],
        ['Location', 'Redmond, WA'],
        ['Twitter search', ''],
        ['Start date', '2030/06/12'],
        ['End date', '2030/06/14'],
        ['Reservation hold', '20 minutes'],
      ]) {
        expect(body).toContain(`<dt>${label}</dt><dd>${value}</dd>`);
      }
      expect(body).toContain(`<dt>Access Code</dt><dd class="access-code">${conference.accessCode}</dd>`);
      expect(body).toContain('<dt>Description</dt><dd class="multiline">Two days of event sourcing.</dd>');
      expect(body).toContain('<dt>Status</dt><dd class="status">Not published</dd>');
      const links = `/manage/${conference.slug}`;
      expect(body).toContain(`<a class="button" href="${links}/edit">Edit</a>`);
      expect(body).toContain(`<a class="button" href="${links}/seats">Configure seats</a>`);
      expect(body).toMatch(new RegExp(`<form method="post" action="${links}/publish" class="inline">.*?<button type="submit" class="button">Publish</button>`));
      for (const [path, label] of [['/', 'Conference details'], ['/seats', 'Seat types'], ['/orders', 'Registrations'], ['/dashboard', 'Dashboard']]) {
        expect(body).toMatch(new RegExp(`<a href="${links}${path}"( aria-current="page")?>${label}</a>`));
      }
    });

    it('refuses to publish without seat types, then publishes and unpublishes', async () => {
      const owner = agent();
      const conference = await owner.createConference();
      const links = `/manage/${conference.slug}`;
      await owner.get(`${links}/`);
      const before = await storeState(server.store);
      const refused = expectPage(await owner.post(`${links}/publish`), 409);
      expect(refused).toContain('Add at least one seat type before publishing.');
      expect(refused).toContain('<dd class="status">Not published</dd>');
      expect(await storeState(server.store)).toEqual(before);

      expect((await owner.post(`${links}/seats`, seatTypeForm())).statusCode).toBe(303);
      const published = await owner.post(`${links}/publish`);
      expect(published.statusCode).toBe(303);
      expect(published.headers.location).toBe(`${links}/`);
      const shown = expectPage(await owner.get(`${links}/`), 200);
      expect(shown).toContain('<dd class="status">Published</dd>');
      expect(shown).toMatch(new RegExp(`action="${links}/unpublish".*?>Unpublish</button>`));
      expect(shown).not.toContain('>Publish</button>');

      expect((await owner.post(`${links}/unpublish`)).statusCode).toBe(303);
      expect(expectPage(await owner.get(`${links}/`), 200)).toContain('<dd class="status">Not published</dd>');
      const state = await tables(server.store).selectFrom('conferences').select(['is_published', 'was_ever_published']).where('id', '=', conference.id).executeTakeFirst();
      expect(state).toEqual({ is_published: 0, was_ever_published: 1 });
    });
  });

  describe('edit', () => {
    it('shows owner, access code and slug read-only and the rest to edit', async () => {
      const owner = agent();
      const conference = await owner.createConference();
      const body = expectPage(await owner.get(`/manage/${conference.slug}/edit`), 200);
      for (const [label, value] of [['Name:', 'Olivia Owner'], ['Email address:', 'olivia@example.com'], ['Access Code:', conference.accessCode], ['Slug/conference code:', conference.slug]]) {
        expect(body).toContain(`<span class="label">${label}</span><span class="value">${value}</span>`);
      }
      for (const field of ['ownerName', 'ownerEmail', 'slug', 'accessCode']) expect(body).not.toContain(`name="${field}"`);
      for (const kept of ['value="CQRS Summit"', 'value="Commands and queries, apart"', 'value="Redmond, WA"', 'value="#cqrs"', 'value="2030-06-12"', 'value="2030-06-14"', 'value="15"']) {
        expect(body).toContain(kept);
      }
      expect(body).toContain(`<a class="button secondary" href="/manage/${conference.slug}/">Cancel</a>`);
      expect(body).toContain('<button type="submit" class="button">Save</button>');
    });

    it('saves the editable fields and keeps the publication state', async () => {
      const owner = agent();
      const conference = await owner.createConference();
      const links = `/manage/${conference.slug}`;
      await owner.post(`${links}/seats`, seatTypeForm());
      await owner.post(`${links}/publish`);
      await owner.get(`${links}/edit`);
      const saved = await owner.post(`${links}/edit`, {
        name: 'Renamed',
        tagline: '',
        location: 'Seattle',
        twitterSearch: '',
        description: 'Line one\nLine two',
        startDate: '2031-01-02',
        endDate: '2031-01-03',
        reservationHoldMinutes: '30',
      });
      expect(saved.statusCode, saved.body).toBe(303);
      expect(saved.headers.location).toBe(`${links}/`);
      const details = expectPage(await owner.get(`${links}/`), 200);
      expect(details).toContain('<dt>Title</dt><dd>Renamed</dd>');
      expect(details).toContain('<dt>Start date</dt><dd>2031/01/02</dd>');
      expect(details).toContain('<dt>Reservation hold</dt><dd>30 minutes</dd>');
      expect(details).toContain('<dd class="status">Published</dd>');
      const row = await tables(server.store).selectFrom('conferences').selectAll().where('id', '=', conference.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ name: 'Renamed', tagline: null, twitter_search: null, description: 'Line one\nLine two', is_published: 1, slug: conference.slug });
    });

    it('shows errors beside the fields and keeps what was typed', async () => {
      const owner = agent();
      const conference = await owner.createConference();
      await owner.get(`/manage/${conference.slug}/edit`);
      const before = await storeState(server.store);
      const body = expectPage(
        await owner.post(`/manage/${conference.slug}/edit`, { ...conferenceForm(), name: '', description: ' ', endDate: '2029-01-01', location: 'Typed place' }),
        422,
      );
      expect(body).toMatch(errorBeside('name', 'The Title field is required.'));
      expect(body).toMatch(errorBeside('description', 'The Description field is required.'));
      expect(body).toContain('value="Typed place"');
      expect(await storeState(server.store)).toEqual(before);
    });
  });

  it('lists orders and attendees, empty until Registration sends orders, with the expired-orders toggle', async () => {
    const owner = agent();
    const conference = await owner.createConference();
    const body = expectPage(await owner.get(`/manage/${conference.slug}/orders`), 200);
    expect(body).toContain('<h1>Orders &amp; Attendees</h1>');
    const headings = [...body.matchAll(/<th[^>]*>([^<]+)<\/th>/g)].map(([, heading]) => heading);
    expect(headings).toEqual(['Order Code', 'Status', 'Total Amount', 'Registrant Name', 'Registrant Email', 'Attendees']);
    expect(body).toContain('No orders yet.');
    expect(body).toContain('<input type="checkbox" name="expired" value="1"/> Show expired orders');
    expect(expectPage(await owner.get(`/manage/${conference.slug}/orders?expired=1`), 200)).toContain('<input type="checkbox" name="expired" value="1" checked/> Show expired orders');
  });

  describe('dashboard', () => {
    it('shows seats by type with a bar each, oversubscription, the chart data and the totals', async () => {
      const owner = agent();
      const conference = await owner.createConference();
      const links = `/manage/${conference.slug}`;
      await owner.post(`${links}/seats`, seatTypeForm({ name: 'Full pass', quantity: '10' }));
      await owner.post(`${links}/seats`, seatTypeForm({ name: 'Workshop', quantity: '5' }));
      const [full, workshop] = await tables(server.store).selectFrom('seat_types').selectAll().where('conference_id', '=', conference.id).orderBy('position').execute();
      // The seat sales summary as Registration's events would leave it: the workshop's quota was lowered below what was sold and held.
      await recordSeatSales(server.store, conference.id, full.id, { sold: 3, held: 2, remaining: 5 });
      await recordSeatSales(server.store, conference.id, workshop.id, { sold: 6, held: 1, remaining: -2 });

      const body = expectPage(await owner.get(`${links}/dashboard`), 200);
      expect(body).toContain('<h2>Seats by type</h2>');
      expect(body).toContain('<h2>Sales over time</h2>');
      expect(body).toContain('<td>Full pass</td><td class="number">10</td><td class="number">3</td><td class="number">2</td><td class="number">5</td><td><meter min="0" max="10" value="5"></meter></td>');
      expect(body).toContain('<td>Workshop</td><td class="number">5</td><td class="number">6</td><td class="number">1</td><td class="number">0</td><td><meter min="0" max="5" value="7"></meter><span class="oversubscribed">Oversubscribed by 2</span></td>');
      expect(body).not.toContain('Oversubscribed by 0');
      expect(body).toContain('<canvas id="seats-chart"');
      expect(body).toContain('No seats have been sold yet.');
      expect(body).toContain('<dt>Seats sold</dt><dd>0</dd><dt>Revenue</dt><dd>$0.00</dd>');
      const data = /<script type="application\/json" id="dashboard-data">([^<]*)<\/script>/.exec(body);
      expect(JSON.parse(data![1])).toEqual({
        seats: { labels: ['Full pass', 'Workshop'], sold: [3, 6], held: [2, 1], available: [5, 0] },
        sales: { days: [], seatTypes: [], cumulativeRevenue: [] },
      });
      expect(body).toContain('<script src="/assets/chart.umd.js" defer></script><script src="/manage/assets/dashboard.js" defer></script>');
    });

    it('serves its script and the site stylesheet', async () => {
      const script = await agent().get('/manage/assets/dashboard.js');
      expect(script.statusCode).toBe(200);
      expect(script.headers['content-type']).toMatch(/^application\/javascript/);
      expect(script.body).toContain("getElementById('dashboard-data')");
      const css = await agent().get('/manage/assets/manage.css');
      expect(css.statusCode).toBe(200);
      expect(css.headers['content-type']).toMatch(/^text\/css/);
    });
  });

  describe('sessions', () => {
    const pages = ['/', '/edit', '/seats', '/seats?add=1', '/orders', '/dashboard'];

    it('logs out: the session no longer opens the conference', async () => {
      const owner = agent();
      const conference = await owner.createConference();
      expectPage(await owner.get(`/manage/${conference.slug}/`), 200);
      const out = await owner.post('/manage/logout');
      expect(out.statusCode).toBe(303);
      expect(out.headers.location).toBe('/manage');
      for (const page of pages) expectLogin(await owner.get(`/manage/${conference.slug}${page}`));
      expect(expectPage(await owner.get('/manage'), 200)).not.toContain('Log out');
    });

    it('opens only the conferences the session logged in to or created, whatever the slug', async () => {
      const alice = agent();
      const mine = await alice.createConference({ ownerEmail: 'alice@example.com' });
      const bob = agent();
      const theirs = await bob.createConference({ ownerEmail: 'bob@example.com' });
      await bob.post(`/manage/${theirs.slug}/seats`, seatTypeForm());
      const [seatType] = await tables(server.store).selectFrom('seat_types').select('id').where('conference_id', '=', theirs.id).execute();

      for (const page of pages) {
        expectPage(await alice.get(`/manage/${mine.slug}${page}`), 200);
        expectLogin(await alice.get(`/manage/${theirs.slug}${page}`));
        expectLogin(await alice.get(`/manage/${theirs.slug.toUpperCase()}${page}`));
        expectLogin(await alice.get(`/manage/no_such_conference${page}`));
        expectLogin(await new PageAgent(server).get(`/manage/${mine.slug}${page}`));
      }
      expectLogin(await alice.get('/manage/not-a-slug/'));
      const before = await storeState(server.store);
      for (const [path, fields] of [
        ['/publish', {}],
        ['/edit', { name: 'Taken over' }],
        ['/seats', seatTypeForm()],
        [`/seats/${seatType.id}`, seatTypeForm({ name: 'Taken over' })],
        [`/seats/${seatType.id}/delete`, {}],
      ] as const) {
        expectLogin(await alice.post(`/manage/${theirs.slug}${path}`, fields));
      }
      const fragment = await alice.htmxGet(`/manage/${theirs.slug}/seats/rows/${seatType.id}/edit`);
      expect(fragment.statusCode).toBe(200);
      expect(fragment.headers['hx-redirect']).toBe('/manage/locate');
      expect(fragment.body).toBe('');
      expect(await storeState(server.store)).toEqual(before);

      // Logging in to a second conference keeps the first.
      expect((await alice.logIn(theirs.ownerEmail, theirs.accessCode)).statusCode).toBe(303);
      expectPage(await alice.get(`/manage/${theirs.slug}/`), 200);
      expectPage(await alice.get(`/manage/${mine.slug}/`), 200);
    });

    it('keeps the 20 most recent conferences of a session', async () => {
      const owner = agent();
      const conferences: Conference[] = [];
      for (let count = 0; count < 21; count++) conferences.push(await owner.createConference());
      expectLogin(await owner.get(`/manage/${conferences[0].slug}/`));
      for (const conference of conferences.slice(1)) expectPage(await owner.get(`/manage/${conference.slug}/`), 200);
      // Logging in again brings a conference back, as the most recent.
      expect((await owner.logIn(conferences[0].ownerEmail, conferences[0].accessCode)).statusCode).toBe(303);
      expectPage(await owner.get(`/manage/${conferences[0].slug}/`), 200);
      expectLogin(await owner.get(`/manage/${conferences[1].slug}/`));
    });
  });

  it('refuses every form posted without a valid CSRF token (403) and changes nothing', async () => {
    const owner = agent();
    const conference = await owner.createConference();
    const links = `/manage/${conference.slug}`;
    await owner.post(`${links}/seats`, seatTypeForm());
    const [seatType] = await tables(server.store).selectFrom('seat_types').select('id').where('conference_id', '=', conference.id).execute();
    await owner.get(`${links}/`);
    const stranger = agent();
    await stranger.get('/manage/locate');
    const posts: Array<[string, Record<string, string>]> = [
      ['/manage/locate', { email: conference.ownerEmail, accessCode: conference.accessCode }],
      ['/manage/recover', { email: conference.ownerEmail }],
      ['/manage/create', conferenceForm()],
      ['/manage/logout', {}],
      [`${links}/publish`, {}],
      [`${links}/unpublish`, {}],
      [`${links}/edit`, conferenceForm({ name: 'Forged' })],
      [`${links}/seats`, seatTypeForm()],
      [`${links}/seats/${seatType.id}`, seatTypeForm({ name: 'Forged' })],
      [`${links}/seats/${seatType.id}/delete`, {}],
      [`${links}/seats/rows`, seatTypeForm()],
      [`${links}/seats/rows/${seatType.id}`, seatTypeForm({ name: 'Forged' })],
      [`${links}/seats/rows/${seatType.id}/delete`, {}],
    ];
    const before = await storeState(server.store);
    const logCount = before.log.length;
    for (const [url, fields] of posts) {
      for (const token of [undefined, 'forged', stranger.csrf]) {
        const response = await owner.post(url, { ...fields, ...(token === undefined ? {} : { _csrf: token }) }, { csrf: false });
        const body = expectPage(response, 403);
        expect(body, url).toContain('This form has expired or did not come from this site.');
      }
      expect((await owner.htmxPost(url, fields, { csrf: false })).statusCode, url).toBe(403);
    }
    const after = await storeState(server.store);
    expect(after.log).toHaveLength(logCount);
    expect(after).toEqual(before);
    // Still logged in: the forged log-out did nothing.
    expectPage(await owner.get(`${links}/`), 200);
  });

  it('shows user text escaped on every page', async () => {
    const owner = agent();
    const conference: Conference = await owner.createConference({ name: SCRIPT, tagline: SCRIPT, description: SCRIPT, location: SCRIPT, twitterSearch: SCRIPT, ownerName: SCRIPT });
    const links = `/manage/${conference.slug}`;
    expect((await owner.post(`${links}/seats`, seatTypeForm({ name: SCRIPT, description: SCRIPT }))).statusCode).toBe(303);
    const [seatType] = await tables(server.store).selectFrom('seat_types').select('id').where('conference_id', '=', conference.id).execute();
    const escaped = '&lt;script>alert(1)&lt;/script>';
    for (const url of ['/', '/edit', '/seats', `/seats?edit=${seatType.id}`, `/seats?delete=${seatType.id}`, '/orders', '/dashboard']) {
      const body = expectPage(await owner.get(`${links}${url}`), 200);
      expect(body, url).not.toContain(SCRIPT);
      expect(body, url).not.toContain('<script>alert');
      expect(body, url).toContain(escaped);
    }
    for (const url of [`/seats/rows/${seatType.id}`, `/seats/rows/${seatType.id}/edit`]) {
      const body = (await owner.htmxGet(`${links}${url}`)).body;
      expect(body, url).not.toContain('<script>alert');
      expect(body, url).toContain(escaped);
    }
    const dashboard = (await owner.get(`${links}/dashboard`)).body;
    expect(dashboard).toContain('"labels":["\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"]');
    // What was typed comes back escaped too.
    const failed = expectPage(await owner.post('/manage/create', conferenceForm({ name: SCRIPT, slug: 'bad slug' })), 422);
    expect(failed).not.toContain(SCRIPT);
    expect(failed).toContain(`value="${escaped}"`);
  });
});

describe('conference creation on the management site', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await testServerOn('sqlite', { env: { CONFERENCE_CREATION_LIMIT: '2' } });
  });
  afterAll(() => server?.close());

  it('shares the per-client hourly limit with the API: 429, and the form keeps what was typed', async () => {
    const api = await server.app.inject({ method: 'POST', url: BASE, payload: newConferenceBody(), remoteAddress: '192.0.2.1' });
    expect(api.statusCode).toBe(201);
    const owner = new PageAgent(server, '192.0.2.1');
    await owner.createConference();
    const before = await storeState(server.store);
    const refused = await owner.post('/manage/create', conferenceForm({ name: 'Third of the hour' }));
    const body = expectPage(refused, 429);
    expect(body).toContain(TOO_MANY);
    expect(body).toContain('value="Third of the hour"');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(await storeState(server.store)).toEqual(before);
    await new PageAgent(server, '192.0.2.2').createConference();
  });
});
