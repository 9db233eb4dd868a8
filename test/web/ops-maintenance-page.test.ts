import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorActions } from '../support/operator-actions.ts';
import { PageAgent, expectPage } from './management-pages-fixture.ts';
import { type TestServer, testServer } from './server-fixture.ts';

/** The operator's maintenance page (DOMAIN 7.4): the three switches, each with a form (operator session, CSRF). */

describe('the maintenance page', () => {
  let server: TestServer;
  let browser: PageAgent;

  beforeAll(async () => {
    server = await testServer({ env: { DEMO_DATA: '0' } });
    browser = new PageAgent(server, '192.0.2.70');
    await browser.get('/ops');
    expect((await browser.post('/ops', { token: server.config.operatorToken })).statusCode).toBe(303);
  });
  afterAll(() => server.close());

  /** The state cell and the button of a switch's row. */
  const row = (page: string, name: string) => {
    const match = new RegExp(`<tr id="switch-${name}">.*?<td class="switch-state">([^<]*)</td>.*?<button[^>]*>([^<]*)</button>`).exec(page);
    return match && { state: match[1], button: match[2] };
  };

  it('is linked from every operator page and shows every switch off', async () => {
    expect(expectPage(await browser.get('/ops'), 200)).toContain('href="/ops/maintenance"');
    const page = expectPage(await browser.get('/ops/maintenance'), 200);
    for (const name of ['public', 'management', 'processing']) expect(row(page, name)).toEqual({ state: 'running', button: 'Start maintenance' });
  });

  it('switches the public site into maintenance and back with its form', async () => {
    await browser.get('/ops/maintenance');
    const on = await browser.post('/ops/maintenance', { switch: 'public', enabled: 'on' });
    expect(on.statusCode, on.body).toBe(303);
    expect(on.headers.location).toBe('/ops/maintenance');
    const page = expectPage(await browser.get('/ops/maintenance'), 200);
    expect(row(page, 'public')).toEqual({ state: 'in maintenance', button: 'End maintenance' });
    expect(row(page, 'management')).toEqual({ state: 'running', button: 'Start maintenance' });
    expect((await server.app.inject({ url: '/' })).statusCode).toBe(503);
    // The operator pages stay up.
    expectPage(await browser.get('/ops'), 200);

    expect((await browser.post('/ops/maintenance', { switch: 'public', enabled: 'off' })).statusCode).toBe(303);
    expect(row(expectPage(await browser.get('/ops/maintenance'), 200), 'public')).toEqual({ state: 'running', button: 'Start maintenance' });
    expect((await server.app.inject({ url: '/' })).statusCode).toBe(200);
    expect(await operatorActions(server.store)).toEqual([
      { action: 'start-maintenance', target: 'public', reason: null },
      { action: 'end-maintenance', target: 'public', reason: null },
    ]);
  });

  it('refuses a form without the CSRF token (403) and changes nothing', async () => {
    await browser.get('/ops/maintenance');
    expectPage(await browser.post('/ops/maintenance', { switch: 'management', enabled: 'on' }, { csrf: false }), 403);
    expect(row(expectPage(await browser.get('/ops/maintenance'), 200), 'management')).toEqual({ state: 'running', button: 'Start maintenance' });
  });

  it('refuses an unknown switch or value (400)', async () => {
    await browser.get('/ops/maintenance');
    expectPage(await browser.post('/ops/maintenance', { switch: 'everything', enabled: 'on' }), 400);
    await browser.get('/ops/maintenance');
    expectPage(await browser.post('/ops/maintenance', { switch: 'public', enabled: 'yes' }), 400);
  });

  it('is closed to visitors without the operator session', async () => {
    const visitor = new PageAgent(server, '192.0.2.71');
    const page = await visitor.get('/ops/maintenance');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/ops');
    await visitor.get('/ops');
    const post = await visitor.post('/ops/maintenance', { switch: 'public', enabled: 'on' });
    expect(post.statusCode).toBe(303);
    expect((await server.app.inject({ url: '/' })).statusCode).toBe(200);
  });
});
