import { parseSettings } from '../config.ts';
import { migrateStore } from '../app/open-store.ts';

/** `conference migrate`: applies the store's pending schema migrations. */
export async function migrate(): Promise<void> {
  const settings = parseSettings();
  const applied = await migrateStore(settings);
  const where = settings.store.kind === 'sqlite' ? settings.store.file : 'PostgreSQL';
  if (applied.length === 0) console.log(`The store (${where}) is up to date.`);
  else console.log(`Applied ${applied.length} migration(s) to ${where}: ${applied.join(', ')}`);
}
