import type { RateLimit } from '../../web/rate-limiter.ts';

const HOUR = 60 * 60 * 1000;

/**
 * API.md: `CONFERENCE_CREATION_LIMIT` conferences per client IP and hour (0 = no limit), one counter
 * for the API and the management site.
 */
export function conferenceCreations(max: number): RateLimit {
  return { name: 'conference-creation', max, windowMs: HOUR };
}
