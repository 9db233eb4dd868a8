import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);

/** Our own stylesheet and images. */
const OWN_ASSETS = join(dirname(fileURLToPath(import.meta.url)), 'assets');

/** Third-party browser scripts, served from our origin (no CDN): URL file name → its directory. */
const VENDOR_SCRIPTS: Record<string, string> = {
  'htmx.min.js': dirname(require.resolve('htmx.org')),
  'chart.umd.js': dirname(require.resolve('chart.js')),
};

/**
 * What every site needs (ARCHITECTURE 8): security headers on every answer, with a
 * Content-Security-Policy that allows scripts, styles, fonts and images from our origin only (no
 * inline scripts, no `eval`, no inline styles), `Cache-Control: no-store` on pages and JSON, and
 * the static assets under `/assets/`.
 * Registered on the root instance so its hooks apply to every route.
 */
export async function installSite(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    xFrameOptions: { action: 'deny' },
  });
  // Pages and JSON answers may show access codes, order and owner data: no browser or proxy cache keeps
  // them (static assets, which carry their own caching headers, are left as they are).
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control') && /^(text\/html|application\/json)/.test(String(reply.getHeader('content-type') ?? ''))) {
      reply.header('cache-control', 'no-store');
    }
    return payload;
  });
  await app.register(fastifyStatic, { root: OWN_ASSETS, prefix: '/assets/' });
  for (const [file, directory] of Object.entries(VENDOR_SCRIPTS)) {
    app.get(`/assets/${file}`, { schema: { hide: true } }, (_request, reply) => reply.sendFile(file, directory));
  }
}
