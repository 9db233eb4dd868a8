import type { Selectable } from 'kysely';
import type { LoggedMessage, Message, MessageKind } from '../messages/envelope.ts';
import { extraMetadata } from '../messages/envelope.ts';
import type { MessagesTable } from './schema.ts';

export type MessageRow = Selectable<MessagesTable>;

export function toRow(message: Message): Omit<MessageRow, 'position'> {
  const m = message.metadata;
  if (m.messageId.length === 0 || m.messageId.length > 200) {
    throw new Error(`A message id must have 1 to 200 characters: ${m.messageId}`);
  }
  return {
    message_id: m.messageId,
    kind: m.kind,
    type: message.type,
    schema_version: m.schemaVersion,
    source_type: m.sourceType,
    source_id: m.sourceId,
    version: m.version,
    correlation_id: m.correlationId,
    causation_id: m.causationId,
    created_at: m.createdAt,
    target: m.target ?? null,
    payload: JSON.stringify(message.data ?? null),
    metadata: JSON.stringify(extraMetadata(m)),
  };
}

export function fromRow(row: MessageRow): LoggedMessage {
  return {
    type: row.type,
    data: JSON.parse(row.payload),
    metadata: {
      ...JSON.parse(row.metadata),
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
