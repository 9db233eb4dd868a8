/** The management site's addresses (DOMAIN 6.2, API.md Page routes); codes never appear in them. */

const ROOT = '/manage';

/** The pages of one conference: `/manage/{slug}/…`. */
function conference(slug: string) {
  const base = `${ROOT}/${encodeURIComponent(slug)}`;
  return {
    details: `${base}/`,
    edit: `${base}/edit`,
    publish: `${base}/publish`,
    unpublish: `${base}/unpublish`,
    seats: `${base}/seats`,
    orders: `${base}/orders`,
    dashboard: `${base}/dashboard`,
    /** No-JavaScript seat-type forms post here. */
    seatType: (id: string) => `${base}/seats/${id}`,
    deleteSeatType: (id: string) => `${base}/seats/${id}/delete`,
    /** htmx fragment routes: one grid row each. */
    rows: `${base}/seats/rows`,
    newRow: `${base}/seats/rows/new`,
    noRow: `${base}/seats/rows/none`,
    row: (id: string) => `${base}/seats/rows/${id}`,
    editRow: (id: string) => `${base}/seats/rows/${id}/edit`,
    deleteRow: (id: string) => `${base}/seats/rows/${id}/delete`,
  };
}

export const paths = {
  home: ROOT,
  login: `${ROOT}/locate`,
  recover: `${ROOT}/recover`,
  create: `${ROOT}/create`,
  logout: `${ROOT}/logout`,
  stylesheet: `${ROOT}/assets/manage.css`,
  dashboardScript: `${ROOT}/assets/dashboard.js`,
  conference,
};

export type ConferencePaths = ReturnType<typeof conference>;
