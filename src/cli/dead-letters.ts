import { parseSettings } from '../config.ts';
import { openStore } from '../app/open-store.ts';
import { type DeadLetter, DeadLetters } from '../platform/processing/dead-letters.ts';
import { UsageError } from './usage-error.ts';

/** Runs `work` against the configured store's dead letters, closing the store after. */
async function withDeadLetters<T>(work: (deadLetters: DeadLetters) => Promise<T>): Promise<T> {
  const store = await openStore(parseSettings(), { listen: false });
  try {
    return await work(new DeadLetters(store));
  } finally {
    await store.close();
  }
}

/** Every dead letter there is (the list is small: each one stops its source for its handler). */
const ALL = { limit: 1_000_000 };

export async function listDeadLetters(options: { handler?: string; json?: boolean }): Promise<void> {
  const letters = await withDeadLetters((d) => d.list({ ...ALL, handler: options.handler }));
  if (options.json) console.log(JSON.stringify(letters, null, 2));
  else if (letters.length === 0) console.log('No dead letters.');
  else console.log(table(letters));
}

/** `retry <id…>` or `retry --all --handler H`; fails (exit 1) when an id is unknown. */
export async function retryDeadLetters(ids: string[], options: { all?: boolean; handler?: string }): Promise<void> {
  if (options.all) {
    if (ids.length > 0) throw new UsageError('Give dead-letter ids or --all --handler, not both.');
    if (!options.handler) throw new UsageError('--all needs --handler <name>.');
    const retried = await withDeadLetters((d) => d.retry({ handler: options.handler }));
    console.log(`Retry requested for ${retried} dead letter(s) of ${options.handler}.`);
    return;
  }
  if (ids.length === 0) throw new UsageError('Give the ids of the dead letters to retry, or --all --handler <name>.');
  const unknown = await withDeadLetters(async (d) => {
    const known = new Set((await d.list({ ...ALL, handler: options.handler })).map((letter) => letter.id));
    const found = ids.filter((id) => known.has(id));
    if (found.length > 0) await d.retry({ ids: found });
    if (found.length > 0) console.log(`Retry requested for ${found.length} dead letter(s).`);
    return ids.filter((id) => !known.has(id));
  });
  if (unknown.length > 0) throw new Error(`No such dead letter: ${unknown.join(', ')}`);
}

/** `discard <id…> --reason TEXT`: each discard is logged as an operator action. */
export async function discardDeadLetters(ids: string[], reason: string): Promise<void> {
  if (reason.trim() === '') throw new UsageError('--reason must not be blank.');
  const unknown = await withDeadLetters(async (d) => {
    const missing: string[] = [];
    for (const id of ids) {
      if (await d.discard(id, reason.trim())) console.log(`Discarded ${id}.`);
      else missing.push(id);
    }
    return missing;
  });
  if (unknown.length > 0) throw new Error(`No such dead letter: ${unknown.join(', ')}`);
}

function table(letters: DeadLetter[]): string {
  const header = ['ID', 'HANDLER', 'POSITION', 'TYPE', 'ATTEMPTS', 'WAITING', 'LAST FAILED', 'ERROR'];
  const rows = letters.map((l) => [
    l.id,
    l.handler,
    String(l.position),
    l.type,
    String(l.attempts),
    String(l.waitingBehind),
    l.lastFailedAt,
    l.error.split('\n', 1)[0].slice(0, 80),
  ]);
  const widths = header.map((_, i) => Math.max(header[i].length, ...rows.map((row) => row[i].length)));
  return [header, ...rows].map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}
