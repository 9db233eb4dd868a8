import { newId } from '../messages/ids.ts';
import { VersionReplayer } from './replay.ts';
import type { ReadModelUnit } from './unit.ts';
import { ReadModelConflict, type ReadModelVersions } from './versions.ts';

export type RebuildMode = 'side-by-side' | 'in-place';

export interface RebuildOptions {
  mode?: RebuildMode;
  /** Build and follow, then keep the version as standby instead of switching to it. */
  switch?: boolean;
  onProgress?: (progress: JobProgress) => void;
}

export interface JobProgress {
  status: 'running' | 'done' | 'failed';
  position: number;
  targetPosition: number;
  eventsPerSecond: number;
  /** ISO instant of the expected completion; null when unknown or done. */
  eta: string | null;
}

export interface RebuildResult {
  unit: string;
  version: number;
  /** Log entries of the unit's types fed to the new version. */
  applied: number;
  failed: number;
  switched: boolean;
  retired: number | null;
  seconds: number;
}

/** One rebuild or replay: its progress for `GET /api/ops/jobs/{id}` and the bar of the CLI. */
export class Job {
  readonly id = newId();
  progress: JobProgress = { status: 'running', position: 0, targetPosition: 0, eventsPerSecond: 0, eta: null };
  error: string | null = null;
  result: RebuildResult | null = null;
  readonly #started = Date.now();
  #firstPosition: number | undefined;

  constructor(readonly unit: string) {}

  update(position: number, target: number, applied: number): void {
    this.#firstPosition ??= position;
    const seconds = (Date.now() - this.#started) / 1000;
    const eventsPerSecond = seconds > 0 ? Math.round(applied / seconds) : 0;
    const positionsPerSecond = seconds > 0 ? (position - this.#firstPosition) / seconds : 0;
    const left = target - position;
    this.progress = {
      status: 'running',
      position,
      targetPosition: target,
      eventsPerSecond,
      eta: left > 0 && positionsPerSecond > 0 ? new Date(Date.now() + (left / positionsPerSecond) * 1000).toISOString() : null,
    };
  }

  finish(error?: unknown): void {
    this.error = error === undefined ? null : error instanceof Error ? error.message : String(error);
    this.progress = { ...this.progress, status: error === undefined ? 'done' : 'failed', eta: null };
  }
}

/**
 * Rebuilds a read model from the log (DOMAIN 7.2). Side by side: a new version is built in its own
 * tables while the live one serves, follows the log until it is within the lag threshold, then
 * readers switch to it (unless `switch: false`); the old version is kept for rollback. In place: the
 * same, and the old version is retired at once.
 */
export async function rebuild(versions: ReadModelVersions, unit: ReadModelUnit, job: Job, options: RebuildOptions = {}): Promise<RebuildResult> {
  return (await rebuildTogether(versions, [unit], job, options))[0];
}

/**
 * Rebuilds several read models as {@link rebuild} does, from one read of the log: each gets its new
 * version, all are fed from the same batches, then each switches in turn (or stays standby).
 */
export async function rebuildTogether(
  versions: ReadModelVersions,
  units: readonly ReadModelUnit[],
  job: Job,
  options: RebuildOptions = {},
): Promise<RebuildResult[]> {
  const started = Date.now();
  const replayers: VersionReplayer[] = [];
  const report = (position: number, target: number) => {
    job.update(position, target, replayers.reduce((sum, replayer) => sum + replayer.applied, 0));
    options.onProgress?.(job.progress);
  };
  try {
    for (const unit of units) replayers.push(new VersionReplayer(versions.store, versions.registry, unit, await versions.createVersion(unit)));
    report(0, await versions.store.headPosition());
    await versions.catchUp(replayers, 0, report);
    const results: RebuildResult[] = [];
    for (const { unit, version, applied, failed } of replayers) {
      const previous = (await versions.versions(unit)).find((row) => row.status === 'live')?.version ?? 1;
      let switched = false;
      let retired: number | null = null;
      if (options.switch === false) {
        await versions.setStatus(unit, version, 'standby');
      } else {
        await versions.switchTo(unit, version, report);
        switched = true;
        if (options.mode === 'in-place') {
          await versions.retire(unit, previous);
          retired = previous;
        }
      }
      results.push({ unit: unit.name, version, applied, failed, switched, retired, seconds: (Date.now() - started) / 1000 });
    }
    job.result = results.length === 1 ? results[0] : null;
    job.finish();
    options.onProgress?.(job.progress);
    return results;
  } catch (error) {
    job.finish(error);
    options.onProgress?.(job.progress);
    // Versions not switched to are dropped (a live one refuses, and stays).
    for (const { unit, version } of replayers) await versions.retire(unit, version).catch(() => {});
    throw error;
  }
}

/** The rebuilds this process runs, by job id. */
export class RebuildJobs {
  readonly #jobs = new Map<string, Job>();

  constructor(private readonly versions: ReadModelVersions) {}

  get(id: string): Job | undefined {
    return this.#jobs.get(id);
  }

  /** True while this process rebuilds the unit. */
  running(unit: ReadModelUnit): boolean {
    return [...this.#jobs.values()].some((job) => job.unit === unit.name && job.progress.status === 'running');
  }

  /** Starts a rebuild in the background; answers its job once the new version exists (a conflict throws). */
  async start(unit: ReadModelUnit, options: RebuildOptions = {}): Promise<Job> {
    if (this.running(unit)) throw new ReadModelConflict(`A rebuild of ${unit.name} is running`);
    const job = new Job(unit.name);
    this.#jobs.set(job.id, job);
    const created = new Promise<void>((resolve, reject) => {
      rebuild(this.versions, unit, job, {
        ...options,
        onProgress: (progress) => {
          resolve();
          options.onProgress?.(progress);
        },
      }).catch((error) => {
        reject(error);
      });
    });
    try {
      await created;
    } catch (error) {
      this.#jobs.delete(job.id);
      throw error;
    }
    return job;
  }
}
