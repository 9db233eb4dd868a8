import type { Kysely } from 'kysely';
import type { MigrationSet } from '../../platform/store/migrations.ts';

/**
 * One-time tokens of the simulated processor's answers (DOMAIN 6.1): issued with the payment, bound
 * to it (and, for the pages, to the browser session), used once. Only a hash of the token is kept.
 */
export interface PaymentTokensTable {
  /** SHA-256 of the token, hex. */
  token_hash: string;
  payment_id: string;
  /** The page session the token was issued to; null when issued over the API. */
  session_id: string | null;
  created_at: string;
  /** When the token was used; null while it may still be. */
  used_at: string | null;
}

export interface PaymentTokensDatabase {
  payment_tokens: PaymentTokensTable;
}

export const paymentTokenMigrations: MigrationSet = () => ({
  '0008-payment-tokens': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('payment_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('payment_id', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
    },
  },
});
