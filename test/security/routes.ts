import type { World } from './security-fixture.ts';

/**
 * Who may reach each route (API.md Credentials, DOMAIN 6.1 "Access to order pages", 6.2, 7):
 * every route of the app is in {@link ROUTES} with its credential class, and each class is refused
 * to every other kind of caller.
 */
export type Access =
  /** No credentials (the credential, if any, is the request itself: log-in and locate forms, conference creation). */
  | 'public'
  /** `x-access-code` of the order in the path. */
  | 'order-api'
  /** `x-access-code` of the order the payment in the path is for. */
  | 'payment-api'
  /** Placing an order again with an existing `orderId`: the order's `x-access-code`. */
  | 'order-placing'
  /** `{email, accessCode}` in the body, scoped to the conference. */
  | 'order-locate'
  /** The public session that created or located the order. */
  | 'order-page'
  /** The processor's one-time token of the payment (bound to the session that checked out). */
  | 'payment-token-page'
  /** HTTP Basic: the conference owner's e-mail and that conference's access code. */
  | 'management-api'
  /** A management session holding that conference. */
  | 'management-page'
  /** `Authorization: Bearer $OPERATOR_TOKEN`. */
  | 'operator-api'
  /** The operator session (log-in with the token at /ops). */
  | 'operator-page';

export interface Route {
  access: Access;
  /** A concrete request for conference A and, where one is named, the order `paid` (or `pending`). */
  url: (w: World) => string;
  /** A valid body (JSON for the API, form fields for pages), so that only the credentials decide. */
  body?: (w: World) => Record<string, unknown>;
  /** The order the route is about (default `paid`). */
  order?: 'paid' | 'pending';
  /** The status of a GET with the right credentials (default 200). */
  allowed?: number;
}

const seatsBody = (w: World) => ({ seats: [{ seatTypeId: w.a.seatTypeIds[0], quantity: 1 }] });
const attendee = { firstName: 'Eve', lastName: 'Intruder', email: 'eve@example.com' };

export const ROUTES: Record<string, Route> = {
  // Public site and its assets.
  'GET /': { access: 'public', url: () => '/' },
  'GET /assets/htmx.min.js': { access: 'public', url: () => '/assets/htmx.min.js' },
  'GET /assets/chart.umd.js': { access: 'public', url: () => '/assets/chart.umd.js' },
  'GET /assets/checkout.js': { access: 'public', url: () => '/assets/checkout.js' },
  'GET /assets/countdown.js': { access: 'public', url: () => '/assets/countdown.js' },
  'GET /assets/registration.css': { access: 'public', url: () => '/assets/registration.css' },
  'GET /assets/seat-selection.js': { access: 'public', url: () => '/assets/seat-selection.js' },
  'GET /*': { access: 'public', url: () => '/assets/site.css' },
  'GET /:slug': { access: 'public', url: (w) => `/${w.a.slug}` },
  'GET /:slug/': { access: 'public', url: (w) => `/${w.a.slug}/` },
  'GET /:slug/order/find': { access: 'public', url: (w) => `/${w.a.slug}/order/find` },
  'POST /:slug/order/find': { access: 'public', url: (w) => `/${w.a.slug}/order/find` },
  // Seat selection: new orders are public; an existing order's selection is the order's page.
  'GET /:slug/register': { access: 'order-page', url: (w) => `/${w.a.slug}/register?orderId=${w.pending.id}`, order: 'pending' },
  'POST /:slug/register': {
    access: 'order-page',
    url: (w) => `/${w.a.slug}/register`,
    body: (w) => ({ orderId: w.pending.id, orderVersion: '0', [`quantity-${w.a.seatTypeIds[0]}`]: '2' }),
    order: 'pending',
  },
  'GET /:slug/registrant': { access: 'order-page', url: (w) => `/${w.a.slug}/registrant?orderId=${w.pending.id}`, order: 'pending' },
  'POST /:slug/registrant': {
    access: 'order-page',
    url: (w) => `/${w.a.slug}/registrant?orderId=${w.pending.id}`,
    body: () => ({ firstName: 'Eve', lastName: 'Intruder', email: 'eve@example.com', confirmEmail: 'eve@example.com', paymentMethod: 'card' }),
    order: 'pending',
  },
  'GET /:slug/third-party-payment': { access: 'order-page', url: (w) => `/${w.a.slug}/third-party-payment?paymentId=${w.pending.payment!.id}`, order: 'pending' },
  'POST /:slug/third-party-payment/accept': { access: 'payment-token-page', url: (w) => `/${w.a.slug}/third-party-payment/accept`, order: 'pending' },
  'POST /:slug/third-party-payment/reject': { access: 'payment-token-page', url: (w) => `/${w.a.slug}/third-party-payment/reject`, order: 'pending' },
  'GET /payment': { access: 'payment-token-page', url: (w) => `/payment?paymentId=${w.pending.payment!.id}`, order: 'pending' },
  'GET /:slug/confirmation': { access: 'order-page', url: (w) => `/${w.a.slug}/confirmation?orderId=${w.paid.id}` },
  'GET /:slug/expired': { access: 'order-page', url: (w) => `/${w.a.slug}/expired?orderId=${w.paid.id}` },
  'GET /:slug/order/:orderId': { access: 'order-page', url: (w) => `/${w.a.slug}/order/${w.paid.id}` },
  'GET /:slug/order/:orderId/seats': { access: 'order-page', url: (w) => `/${w.a.slug}/order/${w.paid.id}/seats` },
  'POST /:slug/order/:orderId/seats': {
    access: 'order-page',
    url: (w) => `/${w.a.slug}/order/${w.paid.id}/seats`,
    body: () => ({ 'firstName-0': 'Eve', 'lastName-0': 'Intruder', 'email-0': 'eve@example.com' }),
  },

  // Public JSON API.
  'GET /api/conferences': { access: 'public', url: () => '/api/conferences' },
  'GET /api/conferences/:slug': { access: 'public', url: (w) => `/api/conferences/${w.a.slug}` },
  'POST /api/conferences/:slug/orders': { access: 'order-placing', url: (w) => `/api/conferences/${w.a.slug}/orders`, body: (w) => ({ ...seatsBody(w), orderId: w.paid.id }) },
  'POST /api/conferences/:slug/orders/find': { access: 'order-locate', url: (w) => `/api/conferences/${w.a.slug}/orders/find` },
  'GET /api/orders/:orderId': { access: 'order-api', url: (w) => `/api/orders/${w.paid.id}` },
  'PUT /api/orders/:orderId/seats': { access: 'order-api', url: (w) => `/api/orders/${w.pending.id}/seats`, body: seatsBody, order: 'pending' },
  'POST /api/orders/:orderId/checkout': { access: 'order-api', url: (w) => `/api/orders/${w.pending.id}/checkout`, body: () => ({ registrant: attendee }), order: 'pending' },
  'GET /api/orders/:orderId/assignments': { access: 'order-api', url: (w) => `/api/orders/${w.paid.id}/assignments` },
  'PUT /api/orders/:orderId/assignments/:position': { access: 'order-api', url: (w) => `/api/orders/${w.paid.id}/assignments/0`, body: () => attendee },
  'DELETE /api/orders/:orderId/assignments/:position': { access: 'order-api', url: (w) => `/api/orders/${w.paid.id}/assignments/0` },
  'GET /api/payments/:paymentId': { access: 'payment-api', url: (w) => `/api/payments/${w.paid.payment!.id}` },
  'POST /api/payments/:paymentId/accept': { access: 'payment-api', url: (w) => `/api/payments/${w.pending.payment!.id}/accept`, body: (w) => ({ token: w.pending.payment!.token }), order: 'pending' },
  'POST /api/payments/:paymentId/reject': { access: 'payment-api', url: (w) => `/api/payments/${w.pending.payment!.id}/reject`, body: (w) => ({ token: w.pending.payment!.token }), order: 'pending' },

  // Management API.
  'POST /api/management/conferences': { access: 'public', url: () => '/api/management/conferences' },
  'GET /api/management/conferences/:slug': { access: 'management-api', url: (w) => `/api/management/conferences/${w.a.slug}` },
  'PATCH /api/management/conferences/:slug': { access: 'management-api', url: (w) => `/api/management/conferences/${w.a.slug}`, body: () => ({ name: 'Taken over' }) },
  'POST /api/management/conferences/:slug/publish': { access: 'management-api', url: (w) => `/api/management/conferences/${w.a.slug}/publish` },
  'POST /api/management/conferences/:slug/unpublish': { access: 'management-api', url: (w) => `/api/management/conferences/${w.a.slug}/unpublish` },
  'POST /api/management/conferences/:slug/seat-types': {
    access: 'management-api',
    url: (w) => `/api/management/conferences/${w.a.slug}/seat-types`,
    body: () => ({ name: 'Stolen', description: 'x', quantity: 1, price: 0 }),
  },
  'PATCH /api/management/conferences/:slug/seat-types/:id': {
    access: 'management-api',
    url: (w) => `/api/management/conferences/${w.a.slug}/seat-types/${w.a.seatTypeIds[0]}`,
    body: () => ({ quantity: 1 }),
  },
  'DELETE /api/management/conferences/:slug/seat-types/:id': { access: 'management-api', url: (w) => `/api/management/conferences/${w.a.slug}/seat-types/${w.a.seatTypeIds[1]}` },
  'GET /api/management/conferences/:slug/stats': { access: 'management-api', url: (w) => `/api/management/conferences/${w.a.slug}/stats` },
  'GET /api/management/conferences/:slug/orders': { access: 'management-api', url: (w) => `/api/management/conferences/${w.a.slug}/orders` },

  // Management site.
  'GET /manage': { access: 'public', url: () => '/manage' },
  'GET /manage/': { access: 'public', url: () => '/manage/' },
  'GET /manage/assets/manage.css': { access: 'public', url: () => '/manage/assets/manage.css' },
  'GET /manage/assets/dashboard.js': { access: 'public', url: () => '/manage/assets/dashboard.js' },
  'GET /manage/locate': { access: 'public', url: () => '/manage/locate' },
  'POST /manage/locate': { access: 'public', url: () => '/manage/locate' },
  'GET /manage/recover': { access: 'public', url: () => '/manage/recover' },
  'POST /manage/recover': { access: 'public', url: () => '/manage/recover' },
  'GET /manage/create': { access: 'public', url: () => '/manage/create' },
  'POST /manage/create': { access: 'public', url: () => '/manage/create' },
  'POST /manage/logout': { access: 'public', url: () => '/manage/logout' },
  'GET /manage/:slug': { access: 'management-page', url: (w) => `/manage/${w.a.slug}` },
  'GET /manage/:slug/': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/` },
  'POST /manage/:slug/publish': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/publish` },
  'POST /manage/:slug/unpublish': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/unpublish` },
  'GET /manage/:slug/edit': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/edit` },
  'POST /manage/:slug/edit': {
    access: 'management-page',
    url: (w) => `/manage/${w.a.slug}/edit`,
    body: () => ({ name: 'Taken over', tagline: '', location: 'Nowhere', twitterSearch: '', description: 'Mine now', startDate: '2030-06-12', endDate: '2030-06-14', reservationHoldMinutes: '15' }),
  },
  'GET /manage/:slug/orders': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/orders` },
  'GET /manage/:slug/dashboard': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/dashboard` },
  'GET /manage/:slug/seats': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/seats` },
  'POST /manage/:slug/seats': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/seats`, body: () => ({ name: 'Stolen', description: 'x', quantity: '1', price: '0' }) },
  'POST /manage/:slug/seats/rows': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/seats/rows`, body: () => ({ name: 'Stolen', description: 'x', quantity: '1', price: '0' }) },
  'GET /manage/:slug/seats/rows/new': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/seats/rows/new` },
  'GET /manage/:slug/seats/rows/none': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/seats/rows/none` },
  'GET /manage/:slug/seats/rows/:id': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/seats/rows/${w.a.seatTypeIds[0]}` },
  'POST /manage/:slug/seats/rows/:id': {
    access: 'management-page',
    url: (w) => `/manage/${w.a.slug}/seats/rows/${w.a.seatTypeIds[0]}`,
    body: () => ({ name: 'Stolen', description: 'x', quantity: '1', price: '0' }),
  },
  'GET /manage/:slug/seats/rows/:id/edit': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/seats/rows/${w.a.seatTypeIds[0]}/edit` },
  'POST /manage/:slug/seats/rows/:id/delete': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/seats/rows/${w.a.seatTypeIds[1]}/delete` },
  'POST /manage/:slug/seats/:id': {
    access: 'management-page',
    url: (w) => `/manage/${w.a.slug}/seats/${w.a.seatTypeIds[0]}`,
    body: () => ({ name: 'Stolen', description: 'x', quantity: '1', price: '0' }),
  },
  'POST /manage/:slug/seats/:id/delete': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/seats/${w.a.seatTypeIds[1]}/delete` },

  // Operator API and pages.
  'GET /api/ops/messages': { access: 'operator-api', url: () => '/api/ops/messages' },
  'GET /api/ops/maintenance': { access: 'operator-api', url: () => '/api/ops/maintenance' },
  'POST /api/ops/maintenance': { access: 'operator-api', url: () => '/api/ops/maintenance', body: () => ({ public: true }) },
  'GET /api/ops/dead-letters': { access: 'operator-api', url: () => '/api/ops/dead-letters' },
  'POST /api/ops/dead-letters/retry': { access: 'operator-api', url: () => '/api/ops/dead-letters/retry', body: () => ({}) },
  'POST /api/ops/dead-letters/:id/retry': { access: 'operator-api', url: () => '/api/ops/dead-letters/1/retry' },
  'POST /api/ops/dead-letters/:id/discard': { access: 'operator-api', url: () => '/api/ops/dead-letters/1/discard', body: () => ({ reason: 'x' }) },
  'GET /api/ops/timers': { access: 'operator-api', url: () => '/api/ops/timers' },
  'GET /api/ops/emails': { access: 'operator-api', url: () => '/api/ops/emails' },
  'GET /api/ops/read-models': { access: 'operator-api', url: () => '/api/ops/read-models' },
  'POST /api/ops/read-models/:name/rebuild': { access: 'operator-api', url: () => '/api/ops/read-models/conferences/rebuild', body: () => ({}) },
  'POST /api/ops/read-models/:name/switch': { access: 'operator-api', url: () => '/api/ops/read-models/conferences/switch', body: () => ({ version: 1 }) },
  'DELETE /api/ops/read-models/:name/versions/:version': { access: 'operator-api', url: () => '/api/ops/read-models/conferences/versions/1' },
  // No such job: the token gets as far as the lookup.
  'GET /api/ops/jobs/:jobId': { access: 'operator-api', url: () => '/api/ops/jobs/0190a0a0-0000-7000-8000-000000000000', allowed: 404 },
  'GET /metrics': { access: 'operator-api', url: () => '/metrics' },
  'GET /ops': { access: 'public', url: () => '/ops' },
  'POST /ops': { access: 'public', url: () => '/ops' },
  'GET /ops/': { access: 'public', url: () => '/ops/' },
  'POST /ops/': { access: 'public', url: () => '/ops/' },
  'POST /ops/logout': { access: 'public', url: () => '/ops/logout' },
  'GET /ops/maintenance': { access: 'operator-page', url: () => '/ops/maintenance' },
  'POST /ops/maintenance': { access: 'operator-page', url: () => '/ops/maintenance', body: () => ({ public: 'on' }) },
  'GET /ops/messages': { access: 'operator-page', url: () => '/ops/messages' },
  'GET /ops/timeline': { access: 'operator-page', url: (w) => `/ops/timeline?correlationId=${w.paid.id}` },
  'GET /ops/timers': { access: 'operator-page', url: () => '/ops/timers' },
  'GET /ops/orders/:orderId/timeline': { access: 'operator-page', url: (w) => `/ops/orders/${w.paid.id}/timeline` },
  'GET /ops/dead-letters': { access: 'operator-page', url: () => '/ops/dead-letters' },
  'POST /ops/dead-letters/retry': { access: 'operator-page', url: () => '/ops/dead-letters/retry', body: () => ({ handler: 'x' }) },
  'POST /ops/dead-letters/:id/retry': { access: 'operator-page', url: () => '/ops/dead-letters/1/retry' },
  'POST /ops/dead-letters/:id/discard': { access: 'operator-page', url: () => '/ops/dead-letters/1/discard', body: () => ({ reason: 'x' }) },
  'GET /ops/read-models': { access: 'operator-page', url: () => '/ops/read-models' },
  'POST /ops/read-models/:name/rebuild': { access: 'operator-page', url: () => '/ops/read-models/conferences/rebuild' },
  'POST /ops/read-models/:name/versions/:version/switch': { access: 'operator-page', url: () => '/ops/read-models/conferences/versions/1/switch' },
  'POST /ops/read-models/:name/versions/:version/retire': { access: 'operator-page', url: () => '/ops/read-models/conferences/versions/1/retire' },
  'GET /ops/emails': { access: 'operator-page', url: () => '/ops/emails' },

  // Documentation and health.
  'GET /api/docs': { access: 'public', url: () => '/api/docs' },
  'GET /api/docs/': { access: 'public', url: () => '/api/docs/' },
  'GET /api/docs/static/index.html': { access: 'public', url: () => '/api/docs/static/index.html' },
  'GET /api/docs/static/swagger-initializer.js': { access: 'public', url: () => '/api/docs/static/swagger-initializer.js' },
  'GET /api/docs/*': { access: 'public', url: () => '/api/docs/static/swagger-ui.css' },
  'GET /api/docs/json': { access: 'public', url: () => '/api/docs/json' },
  'GET /api/docs/yaml': { access: 'public', url: () => '/api/docs/yaml' },
  'GET /health': { access: 'public', url: () => '/health' },
  'GET /health/ready': { access: 'public', url: () => '/health/ready' },
};
