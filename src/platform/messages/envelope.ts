/**
 * The message envelope (ARCHITECTURE 5, DOMAIN 3.0). In code a message is `{ type, data, metadata }`;
 * `metadata` holds the envelope fields and any extra ones (`Imported`, `Derived`, …).
 */
export type MessageKind = 'command' | 'event' | 'operator-action';

export interface Metadata {
  /** Opaque id (≤ 200 characters), fixed when the message is first written. */
  messageId: string;
  kind: MessageKind;
  schemaVersion: number;
  sourceType: string;
  sourceId: string;
  /** 0-based position within its source; null for commands and operator actions. */
  version: number | null;
  correlationId: string | null;
  causationId: string | null;
  /** UTC ISO-8601 instant the message was created. */
  createdAt: string;
  /** Queued commands only: the stream the command is addressed to (its partition key). */
  target?: string | null;
  /** Set once the message is in the log. */
  position?: number;
  /** Extra metadata such as `Imported` or `Derived`. */
  [extra: string]: unknown;
}

export interface Message<T extends string = string, D = unknown> {
  type: T;
  data: D;
  metadata: Metadata;
}

/** A message read back from the log: it always has its position. */
export type LoggedMessage<T extends string = string, D = unknown> = Message<T, D> & {
  metadata: Metadata & { position: number };
};

/** The envelope fields every message has; everything else in `metadata` is extra. */
export const ENVELOPE_FIELDS = [
  'messageId',
  'kind',
  'schemaVersion',
  'sourceType',
  'sourceId',
  'version',
  'correlationId',
  'causationId',
  'createdAt',
  'target',
  'position',
] as const;

export function extraMetadata(metadata: Metadata): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (!(ENVELOPE_FIELDS as readonly string[]).includes(key) && value !== undefined) extra[key] = value;
  }
  return extra;
}

/** Events are ordered per source, queued commands per target stream (ARCHITECTURE 2). */
export function partitionKey(message: Message): string {
  return message.metadata.target ?? `${message.metadata.sourceType}:${message.metadata.sourceId}`;
}

export function isImported(message: Message): boolean {
  return message.metadata.Imported === true;
}

/** `<SourceType>_<SourceId>_<Version>`: the message id of an event stored in a stream. */
export function streamEventId(sourceType: string, sourceId: string, version: number): string {
  return `${sourceType}_${sourceId}_${version}`;
}
