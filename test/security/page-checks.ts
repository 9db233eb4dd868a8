import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

/** The directives of a Content-Security-Policy header. */
function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name.toLowerCase(), values]),
  );
}

/** The headers every answer carries (ARCHITECTURE 8), pages, API, assets and errors alike. */
export function expectSecurityHeaders(response: LightMyRequestResponse, label: string): void {
  const { headers } = response;
  expect(headers['x-content-type-options'], label).toBe('nosniff');
  expect(headers['x-frame-options'], label).toBe('DENY');
  expect(['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'], label).toContain(headers['referrer-policy']);
  const csp = directives(String(headers['content-security-policy'] ?? ''));
  const scripts = csp.get('script-src') ?? csp.get('default-src');
  expect(scripts, `${label}: script-src`).toBeDefined();
  for (const source of scripts!) expect(["'self'"], `${label}: script-src ${source}`).toContain(source);
  for (const [name, values] of csp) {
    for (const forbidden of ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", '*', 'http:', 'https:']) {
      if (name !== 'img-src' || forbidden !== 'data:') expect(values, `${label}: ${name}`).not.toContain(forbidden);
    }
  }
  expect(csp.get('script-src-attr'), label).toEqual(["'none'"]);
  expect(csp.get('object-src'), label).toEqual(["'none'"]);
  expect(csp.get('frame-ancestors'), label).toEqual(["'none'"]);
  expect(csp.get('base-uri'), label).toEqual(["'self'"]);
  expect(csp.get('form-action'), label).toEqual(["'self'"]);
  // Pages and API answers may carry access codes: no cache keeps them.
  if (/^(text\/html|application\/json)/.test(String(headers['content-type']))) expect(String(headers['cache-control']), `${label}: cache-control`).toMatch(/\bno-store\b/);
}

/**
 * An HTML page runs no script of its own making: scripts only by `src` from this origin, no inline
 * bodies, no event-handler attributes, no `javascript:` URLs; every form that posts carries the
 * CSRF token.
 */
export function expectNoInlineScript(body: string, label: string): void {
  for (const tag of body.match(/<script\b[^>]*>[\s\S]*?<\/script\s*>/gi) ?? []) {
    const open = /^<script\b[^>]*>/i.exec(tag)![0];
    const content = tag.slice(open.length).replace(/<\/script\s*>$/i, '');
    const type = /\btype="([^"]*)"/i.exec(open)?.[1];
    // Data blocks (JSON for scripts to read) are not run.
    if (type === 'application/json') continue;
    // From this origin: a path, never a scheme or `//host`.
    expect(open, `${label}: ${open}`).toMatch(/\bsrc="(?!\/\/)(?![a-z][a-z0-9+.-]*:)[^"]+"/i);
    expect(content.trim(), `${label}: inline script`).toBe('');
  }
  expect(body.match(/<script\b/gi)?.length ?? 0, `${label}: unclosed script`).toBe(body.match(/<\/script\s*>/gi)?.length ?? 0);
  expect(body, `${label}: event handler attribute`).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
  expect(body, `${label}: javascript: URL`).not.toMatch(/(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:/i);
  expect(body, `${label}: style attribute`).not.toMatch(/<[^>]*\sstyle\s*=/i);
  for (const form of body.match(/<form\b[^>]*>[\s\S]*?<\/form>/gi) ?? []) {
    if (/method="post"/i.test(form)) expect(form, `${label}: form without CSRF token`).toMatch(/name="_csrf" value="[^"]+"/);
  }
}
