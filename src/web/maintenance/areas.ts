import { isReservedSlug } from '../reserved-slugs.ts';

/** The parts of the site a maintenance switch closes (API.md Maintenance). */
export type SiteArea = 'public' | 'management';

export interface AreaOfPath {
  area: SiteArea;
  /** A JSON API route (answered with the `unavailable` error) rather than a page. */
  api: boolean;
}

/** `/api/{segment}…` routes of each area. */
const API_AREAS: Record<string, SiteArea> = {
  conferences: 'public',
  orders: 'public',
  payments: 'public',
  management: 'management',
};

/**
 * The area a request path belongs to, if any. Public: the home page `/`, `/{slug}/…`, `/payment`,
 * `/api/conferences…`, `/api/orders…`, `/api/payments…`; management: `/manage…`, `/api/management…`.
 * Nothing else is closed by maintenance: the operator pages and API, health, metrics, the API
 * documentation and the static assets (`/assets/…`, `/manage/assets/…`, which the maintenance page
 * itself needs). Page or API is decided by the path alone.
 */
export function areaOfPath(url: string): AreaOfPath | undefined {
  const path = decoded(url.split('?', 1)[0]);
  const [first = '', second = ''] = path.split('/').slice(1);
  if (first === 'api') {
    const area = API_AREAS[second];
    return area && { area, api: true };
  }
  if (first === 'manage') return second === 'assets' ? undefined : { area: 'management', api: false };
  if (first === '' || first === 'payment') return { area: 'public', api: false };
  // Reserved words are the sites' own routes, never a conference slug.
  return isReservedSlug(first) ? undefined : { area: 'public', api: false };
}

/** As the router reads it (`/%6Danage` is `/manage`); a malformed escape is left as it is. */
function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
