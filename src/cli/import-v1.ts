import cliProgress from 'cli-progress';
import { openStore } from '../app/open-store.ts';
import { READ_MODEL_UNITS, readModelVersions } from '../app/read-models.ts';
import { createMessageRegistry } from '../app/registry.ts';
import { parseSettings } from '../config.ts';
import { type ImportProgress, type ImportSummary, importV1 } from '../contexts/migration/v1/import-v1.ts';
import type { MessageRegistry } from '../platform/messages/registry.ts';
import { Job, rebuildTogether } from '../platform/read-models/rebuild.ts';
import type { Store } from '../platform/store/store.ts';
import { UsageError } from './usage-error.ts';

export interface ImportV1Options {
  final?: boolean;
  dryRun?: boolean;
  renameSlug?: string[];
  json?: boolean;
  /** False with `--no-rebuild`: leave the read models to the running projections. */
  rebuild?: boolean;
}

/** `--rename-slug old=new`, repeatable. */
export function parseRenames(values: readonly string[] = []): Map<string, string> {
  const renames = new Map<string, string>();
  for (const value of values) {
    const match = /^([^=]+)=([^=]+)$/.exec(value.trim());
    if (!match) throw new UsageError(`--rename-slug takes old=new, not "${value}"`);
    renames.set(match[1], match[2]);
  }
  return renames;
}

/** `conference import-v1 <file>`: imports a V1 store into the configured one (DOMAIN 7.5), with a progress bar and a summary. */
export async function importV1Command(file: string, options: ImportV1Options): Promise<void> {
  const renameSlugs = parseRenames(options.renameSlug);
  const settings = parseSettings();
  const store = await openStore(settings, { listen: false });
  const bar = new cliProgress.SingleBar({ format: 'import-v1 {step} [{bar}] {percentage}% {value}/{total} ETA {eta}s', clearOnComplete: false }, cliProgress.Presets.shades_classic);
  let started = false;
  const onProgress = ({ step, done, total }: ImportProgress) => {
    if (!started) bar.start(total, 0, { step });
    started = true;
    bar.update(done, { step });
  };
  let summary: ImportSummary;
  try {
    summary = await importV1(store, {
      file,
      dryRun: options.dryRun,
      final: options.final,
      renameSlugs,
      releaseBufferSeconds: settings.seatReleaseBufferSeconds,
      onProgress,
      rebuildReadModels: options.rebuild === false ? undefined : () => rebuildAll(store, createMessageRegistry(), bar),
    });
  } finally {
    if (started) bar.stop();
    await store.close();
  }
  console.log(options.json ? JSON.stringify(summary, null, 2) : summaryText(summary));
}

/**
 * Step 7 (DOMAIN 7.5): every read model rebuilt side by side from the new log, all from one read of
 * it (as `conference rebuild` with every name does); readers switch to each new version once it has
 * caught up.
 */
async function rebuildAll(store: Store, registry: MessageRegistry, bar: cliProgress.SingleBar): Promise<string[]> {
  const results = await rebuildTogether(readModelVersions(store, registry), READ_MODEL_UNITS, new Job('all'), {
    onProgress: (progress) => {
      bar.setTotal(Math.max(progress.targetPosition, progress.position, 1));
      bar.update(progress.position, { step: 'rebuild read models' });
    },
  });
  return results.map(
    (result) =>
      `${result.unit}: version ${result.version} built from ${result.applied} log entries${result.failed ? ` (${result.failed} skipped, see the log)` : ''}, ${result.switched ? 'now live' : 'standby'}`,
  );
}

export function summaryText(s: ImportSummary): string {
  const lines: string[] = [];
  const mode = s.dryRun ? ' (dry run: nothing written)' : s.final ? ' (final run)' : '';
  const rate = Math.round(s.events.read / Math.max(s.importSeconds, 0.001));
  lines.push(`Imported ${s.file}${mode} in ${s.seconds.toFixed(1)} s: import ${s.importSeconds.toFixed(1)} s (${rate} V1 events/s), read models ${(s.seconds - s.importSeconds).toFixed(1)} s.`);
  lines.push(`Conferences: ${s.conferences.conferences} (${s.conferences.created} new), seat types: ${s.conferences.seatTypes}, integration events written: ${s.conferences.eventsWritten}, quota commands: ${s.conferences.quotaCommands}.`);
  lines.push(`V1 events: ${s.events.read} read, ${s.events.written} written, ${s.events.alreadyLogged} already in the log.`);
  for (const id of s.events.conflicts) lines.push(`  not copied, its V2 stream version is taken: ${id}`);
  for (const [type, count] of Object.entries(s.events.unknownTypes)) lines.push(`  unknown event type, not copied: ${type} × ${count}`);
  const created = Object.entries(s.processes.created).map(([state, n]) => `${n} ${state}`).join(', ') || 'none';
  lines.push(`Processes: ${s.processes.orders} orders; created ${created}; derived again ${s.processes.rederived}; unchanged ${s.processes.unchanged}; commands sent ${s.processes.commandsSent}; expiry timers ${s.processes.timers}.`);
  lines.push(`Queued V1 commands dropped by rule (expiry timers, payment details): ${s.processes.droppedCommands}.`);
  for (const command of s.processes.listedCommands) lines.push(`  ${command.type} (${command.reason}): ${JSON.stringify(command.body)}`);
  lines.push(`Payments: ${s.payments.payments}, events written: ${s.payments.eventsWritten}.`);
  for (const id of s.payments.orphans) lines.push(`  payment ${id}: its order has no V1 stream, not imported`);
  if (s.conferences.newAccessCodes.length > 0) {
    lines.push('New owner access codes (send them to the owners):');
    for (const code of s.conferences.newAccessCodes) lines.push(`  ${code.slug} ${code.ownerEmail}: ${code.accessCode} (${code.reason === 'missing' ? 'V1 had none' : 'V1 code clashed'})`);
  }
  lines.push(`Verification: ${s.verification.differences.length === 0 ? 'no differences' : `${s.verification.differences.length} difference(s)`}.`);
  for (const difference of s.verification.differences) lines.push(`  ${difference}`);
  for (const ghost of s.verification.ghostSeatTypes) lines.push(`  ghost seat type ${ghost.seatType} of conference ${ghost.conferenceId} (deleted in V1; remaining ${ghost.remaining})`);
  for (const value of s.verification.beyondV2Limits) lines.push(`  beyond V2's limits (imported as is; fix it in the management site): ${value}`);
  lines.push('Read models:');
  for (const line of s.readModels) lines.push(`  ${line}`);
  lines.push(`Written this run: ${s.written}.`);
  return lines.join('\n');
}
