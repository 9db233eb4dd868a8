import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registrationClient } from '../../bench/support/registration-client.ts';
import { SQLITE_FILE } from '../../src/config.ts';
import { createSoakConference } from '../../soak/traffic.ts';
import { published } from './support/load.ts';
import { PageBrowser, seatSelectionForm } from './support/page-browser.ts';
import { type ServeProcess, freePort, startServe } from './support/serve-process.ts';
import { sqliteIntegrity } from './support/store-log.ts';

/**
 * A full disk under the embedded store, for real: DATA_DIR is on a small tmpfs of its own, filled
 * up to the last byte while `conference serve` runs with work for its handlers in hand. Writes answer
 * 503 `unavailable` saying the store is full (JSON for the API, an HTML page for a form), never 500;
 * reads go on; once space is freed the same process takes writes again, finishes the handlers' work
 * and dead-letters nothing. Mounting needs root.
 */
const FULL_MESSAGE = 'The store is full: changes cannot be saved right now. Please try again later.';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  type: string;
  body: string;
}

/** Writes zeros into `file` until the file system has no byte left. */
function fillUp(file: string): void {
  const chunk = Buffer.alloc(1 << 20);
  const fd = openSync(file, 'w');
  try {
    for (let size = chunk.length; size > 0; ) {
      try {
        writeSync(fd, chunk, 0, size);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        size = size >> 1;
      }
    }
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(process.getuid?.() !== 0)('a full disk under the embedded store (SQLite)', () => {
  it('answers writes 503 with a clear message, keeps serving reads, and takes writes again without a restart once space is freed', async () => {
    const mount = mkdtempSync(join(tmpdir(), 'contoso-disk-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', mount]);
    const token = randomBytes(16).toString('hex');
    const operator = { authorization: `Bearer ${token}` };
    const filler = join(mount, 'filler');
    let server: ServeProcess | undefined;
    try {
      const dataDir = join(mount, 'data');
      server = await startServe(await freePort(), { DATA_DIR: dataDir, OPERATOR_TOKEN: token, CONFERENCE_CREATION_LIMIT: '0', RESERVATION_HOLD_SECONDS: '300' });
      const client = registrationClient(server.url);
      const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
        const response = await fetch(new URL(path, server!.url), {
          method,
          headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() };
      };
      const conference = await createSoakConference(client);
      await published(client, conference.slug);
      const seats = [{ seatTypeId: conference.general, quantity: 1 }];
      const placeOrder = () => send('POST', `/api/conferences/${conference.slug}/orders`, { seats });
      const earlier = await client.placeOrder(conference.slug, seats);
      expect((await client.order(earlier.id, earlier.accessCode, 'settled')).status).toBe('reserved');
      const browser = new PageBrowser(server.url);
      const selection = await browser.get(`/${conference.slug}/register`);
      expect(selection.status).toBe(200);

      // Work in hand for the handlers (reservations, pricing, read models) when the disk fills up.
      const inHand = await Promise.all(Array.from({ length: 3 }, () => client.placeOrder(conference.slug, seats)));
      fillUp(filler);

      // Writes are refused: 503 with the reason, never 500. (The WAL may still hold a few commits.)
      const statuses: number[] = [];
      let refused: Answer | undefined;
      for (let attempt = 0; attempt < 100 && !refused; attempt++) {
        const answer = await placeOrder();
        statuses.push(answer.status);
        if (answer.status === 503) refused = answer;
      }
      expect(statuses.filter((status) => status !== 202 && status !== 503)).toEqual([]);
      expect(refused, `statuses ${statuses.join(' ')}`).toBeDefined();
      expect(refused!.type).toMatch(/^application\/json/);
      expect(JSON.parse(refused!.body)).toEqual({ error: { code: 'unavailable', message: FULL_MESSAGE } });
      const started = Date.now();
      // Every kind of write answers so while the disk is full.
      const createConference = (description: string) =>
        send('POST', '/api/management/conferences', {
          ownerName: 'Full Owner',
          ownerEmail: 'owner@full.example',
          name: 'Full Conference',
          slug: `full_${randomBytes(6).toString('hex')}`,
          description,
          location: 'Nowhere',
          startDate: '2030-03-01',
          endDate: '2030-03-03',
        });
      const creation = await createConference('Created on a full disk.');
      expect(creation.status, creation.body).toBe(503);
      expect(JSON.parse(creation.body).error.message).toBe(FULL_MESSAGE);
      const checkout = await send(
        'POST',
        `/api/orders/${earlier.id}/checkout`,
        { registrant: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@full.example' } },
        { 'x-access-code': earlier.accessCode },
      );
      expect(checkout.status, checkout.body).toBe(503);
      // A form of the public site: the site's error page, saying what is wrong.
      const form = await browser.post(`/${conference.slug}/register`, seatSelectionForm(selection.body, { [conference.general]: 1 }));
      expect(form.status, form.body).toBe(503);
      expect(form.type).toMatch(/^text\/html/);
      expect(form.body).toContain(FULL_MESSAGE);

      // Reads go on.
      expect((await send('GET', `/api/conferences/${conference.slug}`)).status).toBe(200);
      const view = await send('GET', `/api/orders/${earlier.id}`, undefined, { 'x-access-code': earlier.accessCode });
      expect(view.status, view.body).toBe(200);
      expect(JSON.parse(view.body).status).toBe('reserved');
      expect((await browser.get(`/${conference.slug}/`)).status).toBe(200);
      expect((await send('GET', '/health/ready')).status).toBe(200);

      // Full for longer than a handler's five delivery attempts take (0.2 + 0.4 + 0.8 + 1.6 s).
      await sleep(Math.max(0, 5000 - (Date.now() - started)));
      expect((await placeOrder()).status).toBe(503);
      rmSync(filler);

      // The same process takes writes again.
      const later = await placeOrder();
      expect(later.status, later.body).toBe(202);
      const placed = JSON.parse(later.body) as { id: string; accessCode: string };
      expect((await client.order(placed.id, placed.accessCode, 'settled')).status).toBe('reserved');
      for (const order of inHand) expect((await client.order(order.id, order.accessCode, 'settled')).status).toBe('reserved');
      const { payment } = await client.checkout(earlier.id, earlier.accessCode);
      await client.acceptPayment(payment, earlier.accessCode);
      expect((await client.order(earlier.id, earlier.accessCode, 'final')).status).toBe('confirmed');
      const recreated = await createConference('Created once space was freed.');
      expect(recreated.status, recreated.body).toBe(201);
      // Nothing was dead-lettered for the outage.
      expect(await client.call('GET', '/api/ops/dead-letters', undefined, operator)).toEqual([]);
      expect(server.alive, server.output()).toBe(true);
      await server.stop();
      expect(sqliteIntegrity(join(dataDir, SQLITE_FILE))).toBe('ok');
    } finally {
      await server?.stop();
      execFileSync('umount', ['-l', mount]);
      rmSync(mount, { recursive: true, force: true });
    }
  }, 180_000);
});
