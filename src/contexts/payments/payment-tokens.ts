/**
 * The processor's one-time tokens (DOMAIN 6.1): the accept and reject callbacks carry the token
 * issued with the payment; it is used up in the transaction of the command it authorises, so a
 * refused command leaves it usable and a second answer finds it used.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tx } from '../../platform/store/store.ts';
import type { PaymentTokensDatabase } from './schema.ts';

/** `valid`: issued for this payment (and session) and not used; `used`: it was; `unknown`: no such token. */
export type TokenCheck = 'valid' | 'used' | 'unknown';

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const tokensOf = (db: unknown) => db as Kysely<PaymentTokensDatabase>;

/** A new token for the payment, bound to the page session when one is given. */
export async function issuePaymentToken(tx: Tx, paymentId: string, sessionId?: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await tokensOf(tx.db)
    .insertInto('payment_tokens')
    .values({ token_hash: hashOf(token), payment_id: paymentId, session_id: sessionId ?? null, created_at: new Date().toISOString(), used_at: null })
    .execute();
  return token;
}

/**
 * What a token is worth for this payment: a token bound to a session counts only in that session,
 * so for anyone else it is `unknown`.
 */
export async function checkPaymentToken(db: Kysely<any>, paymentId: string, token: string, sessionId?: string): Promise<TokenCheck> {
  const row = await tokensOf(db)
    .selectFrom('payment_tokens')
    .select(['session_id', 'used_at'])
    .where('token_hash', '=', hashOf(token))
    .where('payment_id', '=', paymentId)
    .executeTakeFirst();
  if (!row || (row.session_id !== null && row.session_id !== sessionId)) return 'unknown';
  return row.used_at === null ? 'valid' : 'used';
}

/** Uses the token up in `tx` when it is valid; answers what it was before. */
export async function usePaymentToken(tx: Tx, paymentId: string, token: string, sessionId?: string): Promise<TokenCheck> {
  const check = await checkPaymentToken(tx.db, paymentId, token, sessionId);
  if (check !== 'valid') return check;
  const used = await tokensOf(tx.db)
    .updateTable('payment_tokens')
    .set({ used_at: new Date().toISOString() })
    .where('token_hash', '=', hashOf(token))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  // Another transaction used it between the check and the update.
  return Number(used.numUpdatedRows) === 1 ? 'valid' : 'used';
}
