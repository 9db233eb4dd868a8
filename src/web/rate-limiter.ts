import type { FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { MigrationSet } from '../platform/store/migrations.ts';
import type { Store } from '../platform/store/store.ts';
import { ApiError } from './errors.ts';

/** At most `max` hits per key within any `windowMs` (a sliding window). */
export interface RateLimit {
  /** Names the counter; keys of different limits never mix. */
  name: string;
  max: number;
  windowMs: number;
}

/** One row per counted hit, kept until it leaves its window. Shared by every web process. */
export interface RateLimitHitsTable {
  /** `<limit name>|<key>` */
  bucket: string;
  /** When the hit stops counting (hit time + window), ISO-8601. */
  expires_at: string;
}

interface RateLimitDatabase {
  rate_limit_hits: RateLimitHitsTable;
}

export const rateLimitMigrations: MigrationSet = () => ({
  '0004-credential-limits': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('rate_limit_hits')
        .addColumn('bucket', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('rate_limit_hits_bucket').on('rate_limit_hits').columns(['bucket', 'expires_at']).execute();
      await db.schema.createIndex('rate_limit_hits_expiry').on('rate_limit_hits').column('expires_at').execute();
    },
  },
});

export type LimitedKey = readonly [limit: RateLimit, key: string];

/**
 * Counters of hits (failed credential checks, conference creations…) in the store. Checking reads;
 * only counted hits write. Check and count are separate steps, so requests racing past a check at
 * the same moment may overshoot a limit by their number.
 */
export class RateLimiter {
  readonly #db: Kysely<RateLimitDatabase>;

  constructor(
    store: Store,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#db = store.db as unknown as Kysely<RateLimitDatabase>;
  }

  /** Whole seconds until every limit admits another hit for its key; 0 when they all do now. */
  async retryAfter(keys: readonly LimitedKey[]): Promise<number> {
    const now = this.now();
    let wait = 0;
    for (const [limit, key] of keys) {
      // Once the max-th newest hit expires, fewer than max remain in the window.
      const row = await this.#db
        .selectFrom('rate_limit_hits')
        .select('expires_at')
        .where('bucket', '=', bucketOf(limit, key))
        .where('expires_at', '>', now.toISOString())
        .orderBy('expires_at', 'desc')
        .limit(1)
        .offset(limit.max - 1)
        .executeTakeFirst();
      if (row) wait = Math.max(wait, Math.ceil((Date.parse(row.expires_at) - now.getTime()) / 1000));
    }
    return wait;
  }

  /** Counts a hit against each limit, and forgets hits that no longer count. */
  async hit(keys: readonly LimitedKey[]): Promise<void> {
    const now = this.now();
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('rate_limit_hits').where('expires_at', '<=', now.toISOString()).execute();
      await trx
        .insertInto('rate_limit_hits')
        .values(keys.map(([limit, key]) => ({ bucket: bucketOf(limit, key), expires_at: new Date(now.getTime() + limit.windowMs).toISOString() })))
        .execute();
    });
  }
}

/**
 * A key is whatever was typed (an e-mail, a payment id…); PostgreSQL text cannot hold NUL, so a key
 * with one is kept in its JSON form (quoted, which no other key is: they start with the client IP).
 */
function bucketOf(limit: RateLimit, key: string): string {
  return `${limit.name}|${key.includes('\u0000') ? JSON.stringify(key) : key}`;
}

export const TOO_MANY_ATTEMPTS = 'Too many attempts. Please try again later.';

/** API.md: `429 rate_limited` with `Retry-After` (seconds). Throw the answer. */
export function rateLimited(reply: FastifyReply, retryAfterSeconds: number): ApiError {
  reply.header('retry-after', String(retryAfterSeconds));
  return new ApiError(429, 'rate_limited', TOO_MANY_ATTEMPTS);
}
