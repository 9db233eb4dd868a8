import type { Message, Metadata } from './envelope.ts';
import { newId } from './ids.ts';

/** Where a new message comes from: the flow it belongs to and the message that caused it. */
export interface Origin {
  correlationId: string | null;
  causationId: string | null;
}

/** A message sent over HTTP has no cause; its correlation is the order or conference it addresses. */
export function originFromRequest(correlationId: string): Origin {
  return { correlationId, causationId: null };
}

/** Correlation and causation carried from the message being handled. */
export function originOf(parent: Message): Origin {
  return {
    correlationId: parent.metadata.correlationId ?? parent.metadata.messageId,
    causationId: parent.metadata.messageId,
  };
}

export interface CommandOptions {
  /** The stream the command is addressed to (e.g. the order id): its partition key. */
  target: string;
  origin: Origin;
  /** The command id (= message id), fixed once; new UUIDv7 unless given. */
  id?: string;
  createdAt?: Date;
  schemaVersion?: number;
  extra?: Record<string, unknown>;
}

export function newCommand<T extends string, D>(type: T, data: D, options: CommandOptions): Message<T, D> {
  const id = options.id ?? newId();
  return {
    type,
    data,
    metadata: {
      ...options.extra,
      messageId: id,
      kind: 'command',
      schemaVersion: options.schemaVersion ?? 1,
      sourceType: 'Command',
      sourceId: id,
      version: null,
      correlationId: options.origin.correlationId,
      causationId: options.origin.causationId,
      createdAt: (options.createdAt ?? new Date()).toISOString(),
      target: options.target,
    },
  };
}

export interface EventOptions {
  sourceType: string;
  sourceId: string;
  version: number;
  origin: Origin;
  /** Outbox entries get a UUIDv7 (default); stream events get `<SourceType>_<SourceId>_<Version>`. */
  messageId?: string;
  createdAt?: Date;
  schemaVersion?: number;
  extra?: Record<string, unknown>;
}

/** An event written through the outbox (integration and payment events), with its per-source version. */
export function newEvent<T extends string, D>(type: T, data: D, options: EventOptions): Message<T, D> {
  return {
    type,
    data,
    metadata: {
      ...options.extra,
      messageId: options.messageId ?? newId(),
      kind: 'event',
      schemaVersion: options.schemaVersion ?? 1,
      sourceType: options.sourceType,
      sourceId: options.sourceId,
      version: options.version,
      correlationId: options.origin.correlationId,
      causationId: options.origin.causationId,
      createdAt: (options.createdAt ?? new Date()).toISOString(),
    },
  };
}

export interface OperatorAction {
  action: string;
  target: string;
  reason: string | null;
}

/** Operator actions (discard, retry, switches, import runs) are logged with kind `operator-action`. */
export function newOperatorAction(payload: OperatorAction, createdAt = new Date()): Message<'OperatorAction', OperatorAction> {
  const id = newId();
  const metadata: Metadata = {
    messageId: id,
    kind: 'operator-action',
    schemaVersion: 1,
    sourceType: 'Operator',
    sourceId: id,
    version: null,
    correlationId: null,
    causationId: null,
    createdAt: createdAt.toISOString(),
  };
  return { type: 'OperatorAction', data: payload, metadata };
}
