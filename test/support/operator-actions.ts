import type { Store } from '../../src/platform/store/store.ts';

/**
 * The payloads of every operator action logged, in position order. Read from the table directly:
 * on PostgreSQL the log query stops at the read horizon, which any open transaction on the server
 * (another test's) holds back.
 */
export async function operatorActions(store: Store): Promise<unknown[]> {
  const rows = await store.db.selectFrom('messages').select('payload').where('kind', '=', 'operator-action').orderBy('position').execute();
  return rows.map((row) => JSON.parse(row.payload));
}
