import { VersionReplayer, REPLAY_BATCH } from './replay.ts';
import type { ReadModelUnit } from './unit.ts';
import type { ReadModelVersions } from './versions.ts';

/** The slice of the log a scratch replay reads (ARCHITECTURE 3 `conference replay`). */
export interface ReplaySlice {
  /** Current type names; only those the read model handles are read. Default: all of them. */
  types?: string[];
  sourceTypes?: string[];
  sourceIds?: string[];
  correlationIds?: string[];
  /** Inclusive. */
  untilPosition?: number;
  /** Exclusive instant (ISO). */
  untilTime?: string;
}

export interface ScratchResult {
  unit: string;
  version: number;
  applied: number;
  failed: number;
  position: number;
}

/**
 * Replays a slice of the log into a new scratch version of a read model, beside the live one: kept as
 * standby for inspection, never switched to; retire it when done.
 */
export async function replayIntoScratch(
  versions: ReadModelVersions,
  unit: ReadModelUnit,
  slice: ReplaySlice,
  onProgress?: (position: number, target: number) => void,
): Promise<ScratchResult> {
  const version = await versions.createVersion(unit, { scratch: true });
  const replayer = new VersionReplayer(versions.store, versions.registry, unit, version);
  const wanted = slice.types && new Set(slice.types.flatMap((type) => versions.registry.storedNamesOf(type)));
  const types = replayer.storedTypes.filter((type) => !wanted || wanted.has(type));
  const target = Math.min(await versions.store.headPosition(), slice.untilPosition ?? Number.MAX_SAFE_INTEGER);
  let position = 0;
  try {
    for (let after: number | null = 0; after !== null && types.length > 0; ) {
      const page: Awaited<ReturnType<typeof versions.store.queryLog>> = await versions.store.queryLog({
        types,
        sourceTypes: slice.sourceTypes,
        sourceIds: slice.sourceIds,
        correlationIds: slice.correlationIds,
        until: slice.untilTime,
        after,
        limit: REPLAY_BATCH,
      });
      const messages = page.messages.filter((message) => message.metadata.position <= target);
      if (messages.length > 0) {
        const last = messages[messages.length - 1].metadata.position;
        await versions.store.transaction(async (tx) => {
          await replayer.apply(tx, messages);
          await versions.recordPosition(tx, unit, version, last);
        }, { durable: false });
        position = last;
        onProgress?.(position, target);
      }
      after = messages.length < page.messages.length ? null : page.next;
    }
    await versions.setStatus(unit, version, 'standby');
  } catch (error) {
    await versions.retire(unit, version).catch(() => {});
    throw error;
  }
  return { unit: unit.name, version, applied: replayer.applied, failed: replayer.failed, position };
}
