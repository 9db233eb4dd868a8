/**
 * Events the import generates (regenerated integration events, payment events): message id
 * `Generated_<entity id>_<TypeName>` (`…_<version>` for what a re-run appends), a synthetic
 * timestamp, and metadata `Imported: true`.
 */
import type { Message } from '../../../platform/messages/envelope.ts';

export function generatedId(entityId: string, type: string, version?: number): string {
  return version === undefined ? `Generated_${entityId}_${type}` : `Generated_${entityId}_${type}_${version}`;
}

/** `message` as the import writes it: its generated id and time, marked imported. */
export function asGenerated(message: Message, createdAt: string, options: { rerun?: boolean } = {}): Message {
  const { sourceId, version } = message.metadata;
  return {
    ...message,
    metadata: {
      ...message.metadata,
      messageId: generatedId(sourceId, message.type, options.rerun ? (version ?? undefined) : undefined),
      createdAt,
      Imported: true,
    },
  };
}

/** Synthetic times: `count` instants one second apart, the last one a second before `before`. */
export function syntheticTimes(before: string, count: number): string[] {
  const end = Date.parse(before);
  return Array.from({ length: count }, (_, i) => new Date(end - (count - i) * 1000).toISOString());
}
