import Fastify from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SESSION_COOKIE, SESSION_IDLE_SECONDS, registerSessions } from '../../src/web/sessions.ts';

const SECRET = 'a test session secret of at least thirty-two bytes';

async function app(secret = SECRET) {
  const server = Fastify({ trustProxy: true });
  await registerSessions(server, secret, 'http://localhost:3000');
  server.get('/remember', async (request) => {
    request.session.set('who', 'ada');
    return { remembered: true };
  });
  server.get('/form', async (_request, reply) => ({ token: await reply.generateCsrf() }));
  server.get('/who', async (request) => ({ who: request.session.get('who') ?? null }));
  server.post('/change', { preHandler: server.csrfProtection }, async (request) => ({ ok: true, body: request.body }));
  await server.ready();
  return server;
}

function cookieOf(response: { headers: Record<string, unknown> }): string {
  const header = [response.headers['set-cookie']].flat().find((c) => String(c).startsWith(`${SESSION_COOKIE}=`));
  if (!header) throw new Error('no session cookie set');
  return String(header).split(';', 1)[0];
}

describe('sessions and CSRF', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['Date'] }));
  afterEach(() => vi.useRealTimers());

  it('keeps session data in an encrypted HttpOnly, SameSite=Lax cookie that only the same secret reads', async () => {
    const server = await app();
    const first = await server.inject({ url: '/remember' });
    const header = String([first.headers['set-cookie']].flat().find((c) => String(c).startsWith(SESSION_COOKIE)));
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/SameSite=Lax/);
    expect(header).not.toMatch(/Secure/);
    expect(header).not.toContain('ada');
    const cookie = cookieOf(first);
    expect((await server.inject({ url: '/who', headers: { cookie } })).json()).toEqual({ who: 'ada' });
    const other = await app('another secret, also of thirty-two bytes or more');
    expect((await other.inject({ url: '/who', headers: { cookie } })).json()).toEqual({ who: null });
  });

  it('marks the cookie Secure behind TLS', async () => {
    const server = await app();
    const response = await server.inject({ url: '/remember', headers: { 'x-forwarded-proto': 'https' } });
    expect(String([response.headers['set-cookie']].flat().find((c) => String(c).startsWith(SESSION_COOKIE)))).toMatch(/Secure/);
  });

  it('ends a session after 12 hours without a request, and slides while it is used', async () => {
    const server = await app();
    let cookie = cookieOf(await server.inject({ url: '/remember' }));
    for (let hour = 0; hour < 3; hour++) {
      vi.setSystemTime(Date.now() + (SESSION_IDLE_SECONDS - 60) * 1000);
      const response = await server.inject({ url: '/who', headers: { cookie } });
      expect(response.json()).toEqual({ who: 'ada' });
      cookie = cookieOf(response);
    }
    vi.setSystemTime(Date.now() + (SESSION_IDLE_SECONDS + 60) * 1000);
    expect((await server.inject({ url: '/who', headers: { cookie } })).json()).toEqual({ who: null });
  });

  it('refuses a form post without a valid CSRF token (403) and accepts it with the token in the form or a header', async () => {
    const server = await app();
    const form = await server.inject({ url: '/form' });
    const cookie = cookieOf(form);
    const { token } = form.json() as { token: string };
    const post = (payload: string, headers: Record<string, string> = {}) =>
      server.inject({ method: 'POST', url: '/change', payload, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers } });
    expect((await post('name=x')).statusCode).toBe(403);
    expect((await post(`name=x&_csrf=${encodeURIComponent(token)}x`)).statusCode).toBe(403);
    const accepted = await post(`name=x&_csrf=${encodeURIComponent(token)}`);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().body).toMatchObject({ name: 'x' });
    expect((await post('name=y', { 'x-csrf-token': token })).statusCode).toBe(200);
    // A token from another session is worth nothing.
    const stranger = await server.inject({ url: '/form' });
    expect((await post('name=z', { 'x-csrf-token': (stranger.json() as { token: string }).token })).statusCode).toBe(403);
  });
});
