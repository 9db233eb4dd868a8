import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, testServer } from './server-fixture.ts';

const require = createRequire(import.meta.url);
const htmx = readFileSync(join(dirname(require.resolve('htmx.org')), 'htmx.min.js'), 'utf8');
const chart = readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.js'), 'utf8');
const html = { accept: 'text/html' };

describe('what every site gets', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await testServer();
  });
  afterAll(() => server.close());

  it('sends security headers on pages, API answers and errors', async () => {
    for (const url of ['/', '/api/conferences', '/nowhere', '/assets/site.css']) {
      const { headers } = await server.app.inject({ url, headers: html });
      const csp = String(headers['content-security-policy']);
      expect(csp, url).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("script-src-attr 'none'");
      expect(csp).toContain("style-src 'self';");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    }
  });

  it('serves our stylesheet and the browser libraries from our own origin', async () => {
    const css = await server.app.inject({ url: '/assets/site.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.body).toContain('.top-bar');
    for (const [url, content] of [
      ['/assets/htmx.min.js', htmx],
      ['/assets/chart.umd.js', chart],
    ]) {
      const script = await server.app.inject({ url });
      expect(script.statusCode, url).toBe(200);
      expect(script.headers['content-type']).toMatch(/^application\/javascript/);
      expect(script.body).toBe(content);
    }
  });

  it('serves nothing else of those packages, and answers a missing asset with 404', async () => {
    for (const url of ['/assets/htmx.js', '/assets/chart.cjs', '/assets/package.json', '/assets/missing.css', '/assets/../package.json']) {
      expect((await server.app.inject({ url })).statusCode, url).toBe(404);
    }
    expect((await server.app.inject({ url: '/assets/site.css', method: 'POST' })).statusCode).toBe(405);
  });

  it('links every page to the stylesheet and htmx, with no inline script', async () => {
    const { body } = await server.app.inject({ url: '/' });
    expect(body).toContain('<link rel="stylesheet" href="/assets/site.css"/>');
    expect(body).toContain('<script src="/assets/htmx.min.js" defer></script>');
    expect(body.match(/<script/g)).toHaveLength(1);
    expect(body).not.toMatch(/ on[a-z]+=/);
  });

  it('answers unknown pages with the HTML 404 page to browsers and the JSON error to others', async () => {
    const page = await server.app.inject({ url: '/no/such/page?x=1', headers: html });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('The page you asked for does not exist.');
    const json = await server.app.inject({ url: '/no/such/page' });
    expect(json.statusCode).toBe(404);
    expect(json.json()).toEqual({ error: { code: 'not_found', message: 'No route GET /no/such/page.' } });
    const api = await server.app.inject({ url: '/api/no/such/thing', headers: html });
    expect(api.headers['content-type']).toMatch(/^application\/json/);
  });

  it('keeps page routes out of the OpenAPI document and documents the public API', async () => {
    const document = (await server.app.inject({ url: '/api/docs/json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/conferences', '/api/conferences/{slug}']));
    expect(Object.keys(document.paths).filter((path) => !/^\/(api|health|metrics)/.test(path))).toEqual([]);
  });
});
