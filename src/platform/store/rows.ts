import type { Selectable } from 'kysely';
import type { LoggedMessage, Message, MessageKind } from '../messages/envelope.ts';
import { extraMetadata } from '../messages/envelope.ts';
import type { LogRowValues } from './log-insert.ts';
import type { MessagesTable } from './schema.ts';

export type MessageRow = Selectable<MessagesTable>;

/** A message's column values in the order of `LOG_COLUMNS`. */
export function toRowValues(message: Message): LogRowValues {
  const m = message.metadata;
  if (m.messageId.length === 0 || m.messageId.length > 200) {
    throw new Error(`A message id must have 1 to 200 characters: ${m.messageId}`);
  }
  return [
    m.messageId,
    m.kind,
    message.type,
    m.schemaVersion,
    m.sourceType,
    m.sourceId,
    m.version,
    m.correlationId,
    m.causationId,
    m.createdAt,
    m.target ?? null,
    JSON.stringify(message.data ?? null),
    JSON.stringify(extraMetadata(m)),
  ];
}

export function fromRow(row: MessageRow): LoggedMessage {
  return {
    type: row.type,
    data: JSON.parse(row.payload),
    metadata: {
      ...(row.metadata === '{}' ? undefined : JSON.parse(row.metadata)),
      messageId: row.message_id,
      kind: row.kind as MessageKind,
      schemaVersion: row.schema_version,
      sourceType: row.source_type,
      sourceId: row.source_id,
      version: row.version,
      correlationId: row.correlation_id,
      causationId: row.causation_id,
      createdAt: row.created_at,
      target: row.target,
      position: Number(row.position),
    },
  };
}
