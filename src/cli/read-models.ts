import cliProgress from 'cli-progress';
import { parseSettings } from '../config.ts';
import { openStore } from '../app/open-store.ts';
import { READ_MODEL_UNITS, readModelVersions } from '../app/read-models.ts';
import { createMessageRegistry } from '../app/registry.ts';
import { Job, rebuildTogether } from '../platform/read-models/rebuild.ts';
import { type ReplaySlice, replayIntoScratch } from '../platform/read-models/scratch.ts';
import { type ReadModelUnit, findUnit } from '../platform/read-models/unit.ts';
import type { ReadModelVersions } from '../platform/read-models/versions.ts';
import { UsageError } from './usage-error.ts';

/** Runs `work` on the configured store's read-model versions, closing the store after. */
async function withVersions<T>(work: (versions: ReadModelVersions) => Promise<T>): Promise<T> {
  const store = await openStore(parseSettings(), { listen: false });
  try {
    return await work(readModelVersions(store, createMessageRegistry()));
  } finally {
    await store.close();
  }
}

function unitNamed(name: string): ReadModelUnit {
  const unit = findUnit(READ_MODEL_UNITS, name);
  if (!unit) throw new UsageError(`No read model is named ${name}; one of: ${READ_MODEL_UNITS.flatMap((u) => u.names).join(', ')}.`);
  return unit;
}

function versionNumber(text: string): number {
  const version = Number(text);
  if (!Number.isInteger(version) || version < 1) throw new UsageError(`${text} is not a version number.`);
  return version;
}

/** A progress bar over log positions on stderr. */
function positionBar(label: string) {
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% position {value}/{total} ETA {eta}s`, clearOnComplete: false, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(position: number, target: number) {
      if (!started) bar.start(Math.max(target, 1), 0);
      started = true;
      bar.setTotal(Math.max(target, position, 1));
      bar.update(position);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export async function listReadModels(options: { json?: boolean }): Promise<void> {
  const entries = await withVersions((versions) => versions.status());
  if (options.json) {
    console.log(JSON.stringify(entries, null, 2));
    return;
  }
  const rows = entries.map((e) => [e.name, String(e.version), e.status + (e.scratch ? ' (scratch)' : ''), String(e.position), String(e.lagMessages), e.lagSeconds.toFixed(1)]);
  const header = ['READ MODEL', 'VERSION', 'STATUS', 'POSITION', 'LAG', 'LAG S'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
}

/** `conference rebuild <read-model…>`: several names are rebuilt together, from one read of the log. */
export async function rebuildReadModels(names: readonly string[], options: { inPlace?: boolean; switch?: boolean }): Promise<void> {
  const units = [...new Set(names.map(unitNamed))];
  const label = units.map((unit) => unit.name).join(' + ');
  const results = await withVersions(async (versions) => {
    const bar = positionBar(`rebuild ${label}`);
    try {
      return await rebuildTogether(versions, units, new Job(label), {
        mode: options.inPlace ? 'in-place' : 'side-by-side',
        switch: options.switch,
        onProgress: (progress) => bar.update(progress.position, progress.targetPosition),
      });
    } finally {
      bar.stop();
    }
  });
  for (const result of results) {
    const name = result.unit;
    const rate = result.seconds > 0 ? Math.round(result.applied / result.seconds) : result.applied;
    console.log(`${name}: version ${result.version} built from ${result.applied} log entries in ${result.seconds.toFixed(1)} s (${rate}/s)` + (result.failed ? `, ${result.failed} skipped (see the log)` : '') + '.');
    if (result.switched) console.log(`Readers now use version ${result.version}.` + (result.retired ? ` Version ${result.retired} retired.` : ' The previous version is kept: `conference switch` rolls back.'));
    else console.log(`Version ${result.version} is kept as standby; \`conference switch ${name} ${result.version}\` makes it live.`);
  }
}

export async function switchReadModel(name: string, version: string): Promise<void> {
  const unit = unitNamed(name);
  await withVersions((versions) => versions.switchTo(unit, versionNumber(version)));
  console.log(`Readers of ${name} now use version ${version}.`);
}

export async function retireReadModel(name: string, version: string): Promise<void> {
  const unit = unitNamed(name);
  await withVersions((versions) => versions.retire(unit, versionNumber(version)));
  console.log(`Version ${version} of ${name} retired.`);
}

export interface ReplayOptions {
  into: string;
  types?: string;
  sourceType?: string;
  sourceId?: string;
  correlationId?: string;
  untilPosition?: string;
  untilTime?: string;
}

const list = (text?: string) => text?.split(',').map((value) => value.trim()).filter(Boolean);

export async function replay(options: ReplayOptions): Promise<void> {
  const unit = unitNamed(options.into);
  if (options.untilPosition !== undefined && options.untilTime !== undefined) throw new UsageError('Give --until-position or --until-time, not both.');
  const untilPosition = options.untilPosition === undefined ? undefined : Number(options.untilPosition);
  if (untilPosition !== undefined && !Number.isInteger(untilPosition)) throw new UsageError('--until-position takes a log position.');
  if (options.untilTime !== undefined && Number.isNaN(Date.parse(options.untilTime))) throw new UsageError('--until-time takes an ISO instant.');
  const slice: ReplaySlice = {
    types: list(options.types),
    sourceTypes: list(options.sourceType),
    sourceIds: list(options.sourceId),
    correlationIds: list(options.correlationId),
    untilPosition,
    untilTime: options.untilTime && new Date(options.untilTime).toISOString(),
  };
  const result = await withVersions(async (versions) => {
    const bar = positionBar(`replay into ${options.into}`);
    try {
      return await replayIntoScratch(versions, unit, slice, (position, target) => bar.update(position, target));
    } finally {
      bar.stop();
    }
  });
  console.log(`Scratch version ${result.version} of ${options.into}: ${result.applied} log entries replayed up to position ${result.position}` + (result.failed ? `, ${result.failed} skipped` : '') + '.');
  console.log(`It is never made live; \`conference retire ${options.into} ${result.version}\` drops it.`);
}
