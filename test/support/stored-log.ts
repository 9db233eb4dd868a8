import type { LoggedMessage } from '../../src/platform/messages/envelope.ts';
import { fromRow } from '../../src/platform/store/rows.ts';
import type { Store } from '../../src/platform/store/store.ts';

/**
 * The log as stored, in position order, optionally of one flow. Unlike `readLog`, it ignores the
 * PostgreSQL readers' horizon (the oldest running transaction of the whole cluster, which other test
 * files hold back), so a test sees what it just committed.
 */
export async function storedLog(store: Store, correlationId?: string): Promise<LoggedMessage[]> {
  let query = store.db.selectFrom('messages').selectAll().orderBy('position');
  if (correlationId !== undefined) query = query.where('correlation_id', '=', correlationId);
  return (await query.execute()).map(fromRow);
}
