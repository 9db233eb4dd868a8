import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { importV1, type ImportSummary } from '../../src/contexts/migration/v1/import-v1.ts';
import type { TestServer } from '../web/server-fixture.ts';

export const SAMPLE = '/work/shared/fixtures/v1-sample.sqlite';

export function fileHash(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Imports a V1 file into the server's store, as `conference import-v1` does. */
export function importInto(server: TestServer, file: string, options: { dryRun?: boolean; renameSlugs?: Map<string, string> } = {}): Promise<ImportSummary> {
  return importV1(server.store, { file, releaseBufferSeconds: server.config.seatReleaseBufferSeconds, ...options });
}

/** Counts of everything an import writes, to show a second run adds nothing. */
export async function storeCounts(server: TestServer): Promise<Record<string, number>> {
  const count = async (table: 'messages' | 'processes' | 'timers' | 'conferences' | 'seat_types') => {
    const row = await (server.store.db as never as import('kysely').Kysely<Record<string, object>>)
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number((row as { n: number }).n);
  };
  return {
    messages: await count('messages'),
    processes: await count('processes'),
    timers: await count('timers'),
    conferences: await count('conferences'),
    seatTypes: await count('seat_types'),
  };
}

/** HTTP Basic credentials of a conference owner. */
export function basic(email: string, accessCode: string): { authorization: string } {
  return { authorization: `Basic ${Buffer.from(`${email}:${accessCode}`).toString('base64')}` };
}
