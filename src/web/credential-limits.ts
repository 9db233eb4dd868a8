import type { LimitedKey, RateLimit, RateLimiter } from './rate-limiter.ts';

const FIFTEEN_MINUTES = 15 * 60 * 1000;

/** API.md Credentials: 10 failures per 15 minutes per client IP and target… */
export const FAILURES_PER_TARGET: RateLimit = { name: 'credential-target', max: 10, windowMs: FIFTEEN_MINUTES };
/** …and 100 per 15 minutes per client IP over all targets. */
export const FAILURES_PER_CLIENT: RateLimit = { name: 'credential-client', max: 100, windowMs: FIFTEEN_MINUTES };

/**
 * The limits on every credential check (page log-in and locate, order lookup, Basic auth,
 * `x-access-code`, payment tokens, the operator token). A target names what the credentials were
 * for, with its kind: `slug:<slug>`, `email:<address>`, `order:<id>`, `payment:<id>`, `operator`.
 * Usage: ask {@link retryAfter} before checking (refuse when it is not 0: the API with
 * `rateLimited`, pages with HTTP 429 and `TOO_MANY_ATTEMPTS`), call {@link failed} when the check
 * fails. Success resets nothing. The client IP is `request.ip`: the socket address, or under
 * TRUST_PROXY the address the nearest proxy reports (server.ts).
 */
export class CredentialLimits {
  constructor(private readonly limiter: RateLimiter) {}

  /** Seconds until this client may try credentials for this target again; 0 = now. */
  retryAfter(clientIp: string, target: string): Promise<number> {
    return this.limiter.retryAfter(keys(clientIp, target));
  }

  failed(clientIp: string, target: string): Promise<void> {
    return this.limiter.hit(keys(clientIp, target));
  }
}

function keys(clientIp: string, target: string): LimitedKey[] {
  return [
    [FAILURES_PER_TARGET, `${clientIp}|${target}`],
    [FAILURES_PER_CLIENT, clientIp],
  ];
}
