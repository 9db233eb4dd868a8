import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Conference } from '../../src/contexts/conference-management/records.ts';
import { STORE_KINDS } from '../support/stores.ts';
import { storeState, tables } from './management-fixture.ts';
import { PageAgent, expectPage, recordSeatSales, seatTypeForm } from './management-pages-fixture.ts';
import { type TestServer, testServerOn } from './server-fixture.ts';

const CONFIRM = 'Are you sure you want to delete?';
const CANNOT_DELETE = "Can't delete seats from a conference that has been published at least once.";
const TOOLTIP = 'The conference has been published at least once before. Cannot delete seat types.';

/** A seat type's input of the row followed by its error, in one cell. */
const errorInRow = (name: string, message: string) =>
  new RegExp(`<td><input name="${name}" [^>]*aria-invalid="true"[^>]*/><span class="field-error">${message.replace(/[.()$]/g, '\\$&')}</span></td>`);

describe.each(STORE_KINDS)('the seat-type grid on %s', (kind) => {
  let server: TestServer;
  let owner: PageAgent;
  let conference: Conference;
  let links: string;

  beforeAll(async () => {
    server = await testServerOn(kind, { env: { CONFERENCE_CREATION_LIMIT: '0' } });
  });
  afterAll(() => server?.close());
  beforeEach(async () => {
    owner = new PageAgent(server);
    conference = await owner.createConference();
    links = `/manage/${conference.slug}`;
    await owner.get(`${links}/seats`);
  });

  const stored = () =>
    tables(server.store)
      .selectFrom('seat_types')
      .select(['id', 'name', 'description', 'quantity', 'price'])
      .where('conference_id', '=', conference.id)
      .orderBy('position')
      .execute();

  async function addSeatType(fields: Record<string, string> = {}) {
    expect((await owner.post(`${links}/seats`, seatTypeForm(fields))).statusCode).toBe(303);
    return (await stored()).at(-1)!;
  }

  describe('without JavaScript', () => {
    it('shows the grid with its columns, the hint and the way to add', async () => {
      const body = expectPage(await owner.get(`${links}/seats`), 200);
      expect(body).toContain('<h1>Seat types</h1>');
      const headings = [...body.matchAll(/<th[^>]*>([^<]+)<\/th>/g)].map(([, heading]) => heading);
      expect(headings).toEqual(['Seat type', 'Description', 'Quota', 'Price ($)', 'Delete']);
      expect(body).toContain('Click on a seat type name to edit');
      expect(body).toContain('No seat types yet.');
      expect(body).toContain(
        `<a class="button" href="${links}/seats?add=1" hx-get="${links}/seats/rows/new" hx-target="#seat-type-rows" hx-swap="beforeend">Add new seat type</a>`,
      );
      expect(body).toMatch(/<table class="seat-grid" hx-headers="{&quot;x-csrf-token&quot;:&quot;[^&]+&quot;}">/);
    });

    it('adds a seat type from a new row, keeping what was typed when it is refused', async () => {
      const adding = expectPage(await owner.get(`${links}/seats?add=1`), 200);
      expect(adding).toContain('<tr class="editing">');
      expect(adding).toMatch(new RegExp(`<form id="seat-type-form-[^"]+" method="post" action="${links}/seats" hx-post="${links}/seats/rows"`));
      expect(adding).toContain('<button type="submit" class="button">Create</button>');
      expect(adding).toContain(`<a class="button secondary" href="${links}/seats" hx-get="${links}/seats/rows/none" hx-target="closest tr" hx-swap="outerHTML">Cancel</a>`);

      const before = await storeState(server.store);
      const refused = expectPage(await owner.post(`${links}/seats`, seatTypeForm({ name: 'X', description: '', quantity: '100001', price: '12.345' })), 422);
      expect(refused).toMatch(errorInRow('name', 'The Seat type field must be at least 2 characters.'));
      expect(refused).toMatch(errorInRow('description', 'The Description field is required.'));
      expect(refused).toMatch(errorInRow('quantity', 'The Quota field must be between 0 and 100000.'));
      expect(refused).toMatch(errorInRow('price', 'The Price field must be an amount in dollars, such as 199.00.'));
      for (const kept of ['value="X"', 'value="100001"', 'value="12.345"']) expect(refused).toContain(kept);
      expect(await storeState(server.store)).toEqual(before);

      const created = await owner.post(`${links}/seats`, seatTypeForm({ name: 'Early bird', price: '$1,234.50', quantity: ' 25 ' }));
      expect(created.statusCode).toBe(303);
      expect(created.headers.location).toBe(`${links}/seats`);
      const [seatType] = await stored();
      expect(seatType).toMatchObject({ name: 'Early bird', description: 'Both days', quantity: 25, price: 123_450 });
      const grid = expectPage(await owner.get(`${links}/seats`), 200);
      expect(grid).toContain(
        `<td><a href="${links}/seats?edit=${seatType.id}" hx-get="${links}/seats/rows/${seatType.id}/edit" hx-target="closest tr" hx-swap="outerHTML">Early bird</a></td><td>Both days</td><td class="number">25</td><td class="number">$1,234.50</td>`,
      );
    });

    it('edits a seat type in its row', async () => {
      const seatType = await addSeatType();
      const editing = expectPage(await owner.get(`${links}/seats?edit=${seatType.id}`), 200);
      expect(editing).toMatch(new RegExp(`<form id="seat-type-form-${seatType.id}" method="post" action="${links}/seats/${seatType.id}" hx-post="${links}/seats/rows/${seatType.id}"`));
      for (const kept of ['value="General admission"', 'value="Both days"', 'value="100"', 'value="199.00"']) expect(editing).toContain(kept);
      expect(editing).toContain('<button type="submit" class="button">Save</button>');

      const refused = expectPage(await owner.post(`${links}/seats/${seatType.id}`, seatTypeForm({ price: '' })), 422);
      expect(refused).toMatch(errorInRow('price', 'The Price field is required.'));
      expect(await stored()).toEqual([seatType]);

      expect((await owner.post(`${links}/seats/${seatType.id}`, seatTypeForm({ name: 'Standard', price: '0' }))).statusCode).toBe(303);
      expect(await stored()).toEqual([{ ...seatType, name: 'Standard', price: 0 }]);
    });

    it('asks before deleting, and deletes', async () => {
      const seatType = await addSeatType();
      const grid = expectPage(await owner.get(`${links}/seats`), 200);
      expect(grid).toContain(
        `<a class="button danger" href="${links}/seats?delete=${seatType.id}" hx-post="${links}/seats/rows/${seatType.id}/delete" hx-confirm="${CONFIRM}" hx-target="closest tr" hx-swap="outerHTML">Delete</a>`,
      );
      const asking = expectPage(await owner.get(`${links}/seats?delete=${seatType.id}`), 200);
      expect(asking).toContain(`${CONFIRM} <strong>General admission</strong>`);
      expect(asking).toContain(`<form method="post" action="${links}/seats/${seatType.id}/delete" class="inline">`);
      const deleted = await owner.post(`${links}/seats/${seatType.id}/delete`);
      expect(deleted.statusCode).toBe(303);
      expect(await stored()).toEqual([]);
    });

    it('no longer deletes once the conference was published', async () => {
      const seatType = await addSeatType();
      await owner.post(`${links}/publish`);
      await owner.post(`${links}/unpublish`);
      const grid = expectPage(await owner.get(`${links}/seats?delete=${seatType.id}`), 200);
      expect(grid).toContain(`<span title="${TOOLTIP}"><button type="button" class="button" disabled title="${TOOLTIP}">Delete</button></span>`);
      expect(grid).not.toContain(CONFIRM);
      const refused = expectPage(await owner.post(`${links}/seats/${seatType.id}/delete`), 409);
      expect(refused).toContain(CANNOT_DELETE);
      expect(await stored()).toEqual([seatType]);
    });

    it('answers 404 for a seat type of another conference', async () => {
      const other = new PageAgent(server);
      const otherConference = await other.createConference();
      await other.post(`/manage/${otherConference.slug}/seats`, seatTypeForm());
      const [foreign] = await tables(server.store).selectFrom('seat_types').select('id').where('conference_id', '=', otherConference.id).execute();
      const before = await storeState(server.store);
      for (const url of [`${links}/seats/${foreign.id}`, `${links}/seats/${foreign.id}/delete`]) expectPage(await owner.post(url, seatTypeForm()), 404);
      for (const url of [`${links}/seats/rows/${foreign.id}`, `${links}/seats/rows/${foreign.id}/edit`]) expect((await owner.htmxGet(url)).statusCode).toBe(404);
      expect((await owner.htmxPost(`${links}/seats/rows/${foreign.id}`, seatTypeForm())).statusCode).toBe(404);
      expect(await storeState(server.store)).toEqual(before);
    });
  });

  describe('htmx fragments', () => {
    it('inserts a new editable row, creates from it and shows the errors in the row', async () => {
      const row = await owner.htmxGet(`${links}/seats/rows/new`);
      expect(row.statusCode).toBe(200);
      expect(row.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(row.body).toMatch(/^<tr class="editing"><td><input name="name" form="seat-type-form-[^"]+"/);
      expect(row.body).toContain('<button type="submit" class="button">Create</button>');
      expect(row.body).toMatch(/<input type="hidden" name="_csrf" value="[^"]+"\/>/);

      const before = await storeState(server.store);
      const refused = await owner.htmxPost(`${links}/seats/rows`, seatTypeForm({ name: '', quantity: 'many', price: '50000.01' }));
      expect(refused.statusCode).toBe(200);
      expect(refused.body).toMatch(/^<tr class="editing">/);
      expect(refused.body).toMatch(errorInRow('name', 'The Seat type field is required.'));
      expect(refused.body).toMatch(errorInRow('quantity', 'The Quota field must be a whole number.'));
      expect(refused.body).toMatch(errorInRow('price', 'The Price field must be between $0.00 and $50,000.00 (0 and 5000000 cents).'));
      expect(refused.body).toContain('value="many"');
      expect(await storeState(server.store)).toEqual(before);

      const created = await owner.htmxPost(`${links}/seats/rows`, seatTypeForm({ name: 'Workshop', price: '50000' }));
      expect(created.statusCode).toBe(200);
      const [seatType] = await stored();
      expect(seatType).toMatchObject({ name: 'Workshop', price: 5_000_000 });
      expect(created.body).toMatch(new RegExp(`^<tr id="seat-type-${seatType.id}"><td><a [^>]*>Workshop</a></td><td>Both days</td><td class="number">100</td><td class="number">\\$50,000\\.00</td>`));

      const cancelled = await owner.htmxGet(`${links}/seats/rows/none`);
      expect(cancelled.statusCode).toBe(200);
      expect(cancelled.body).toBe('');
    });

    it('turns a row editable, saves it, cancels, and shows refusals in the row', async () => {
      const seatType = await addSeatType();
      const editing = await owner.htmxGet(`${links}/seats/rows/${seatType.id}/edit`);
      expect(editing.body).toMatch(new RegExp(`^<tr class="editing" id="seat-type-${seatType.id}">`));
      expect(editing.body).toContain('<button type="submit" class="button">Save</button>');
      expect(editing.body).toContain(`hx-get="${links}/seats/rows/${seatType.id}" hx-target="closest tr" hx-swap="outerHTML">Cancel</a>`);

      const cancelled = await owner.htmxGet(`${links}/seats/rows/${seatType.id}`);
      expect(cancelled.body).toMatch(new RegExp(`^<tr id="seat-type-${seatType.id}"><td><a [^>]*>General admission</a>`));

      const saved = await owner.htmxPost(`${links}/seats/rows/${seatType.id}`, seatTypeForm({ name: 'Renamed', quantity: '7' }));
      expect(saved.statusCode).toBe(200);
      expect(saved.body).toMatch(/^<tr id="seat-type-[^"]+"><td><a [^>]*>Renamed<\/a><\/td><td>Both days<\/td><td class="number">7<\/td>/);
      expect(await stored()).toEqual([{ ...seatType, name: 'Renamed', quantity: 7 }]);

      // Registration has sold 5 seats of it: the quota cannot go below.
      await recordSeatSales(server.store, conference.id, seatType.id, { sold: 5, held: 0, remaining: 2 });
      const refused = await owner.htmxPost(`${links}/seats/rows/${seatType.id}`, seatTypeForm({ name: 'Renamed', quantity: '4' }));
      expect(refused.statusCode).toBe(200);
      expect(refused.body).toMatch(errorInRow('quantity', 'The quota cannot be lower than the 5 seats already sold.'));
      expect(refused.body).toContain('value="4"');
      expect((await stored())[0].quantity).toBe(7);
    });

    it('deletes a row, or keeps it with the reason once the conference was published', async () => {
      const first = await addSeatType({ name: 'First' });
      const second = await addSeatType({ name: 'Second' });
      const deleted = await owner.htmxPost(`${links}/seats/rows/${first.id}/delete`);
      expect(deleted.statusCode).toBe(200);
      expect(deleted.body).toBe('');
      expect(await stored()).toEqual([second]);

      await owner.post(`${links}/publish`);
      const refused = await owner.htmxPost(`${links}/seats/rows/${second.id}/delete`);
      expect(refused.statusCode).toBe(200);
      expect(refused.body).toContain('>Second</a>');
      expect(refused.body).toContain(`disabled title="${TOOLTIP}"`);
      expect(refused.body).toContain(`<span class="field-error">${CANNOT_DELETE}</span>`);
      expect(await stored()).toEqual([second]);
      // New rows of a published conference cannot be deleted either.
      expect((await owner.htmxPost(`${links}/seats/rows`, seatTypeForm({ name: 'Late' }))).body).toContain(`disabled title="${TOOLTIP}"`);
    });
  });
});
