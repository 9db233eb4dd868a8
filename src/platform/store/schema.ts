import type { Generated } from 'kysely';

/** The message log: every accepted command, every event and every operator action (DOMAIN 7.1). */
export interface MessagesTable {
  position: Generated<number>;
  message_id: string;
  kind: string;
  type: string;
  schema_version: number;
  source_type: string;
  source_id: string;
  version: number | null;
  correlation_id: string | null;
  causation_id: string | null;
  created_at: string;
  /** Queued commands: the target stream (partition key). */
  target: string | null;
  payload: string;
  /** Extra metadata (`Imported`, `Derived`, …) as JSON. */
  metadata: string;
}

export interface CheckpointsTable {
  name: string;
  position: number;
  updated_at: string;
}

export interface DeadLettersTable {
  id: string;
  handler: string;
  position: number;
  message_id: string;
  type: string;
  source_key: string;
  error: string;
  attempts: number;
  first_failed_at: string;
  last_failed_at: string;
  retry_requested: number;
}

/** Messages waiting behind a dead letter of the same source, per handler (DOMAIN 7.3). */
export interface ParkedMessagesTable {
  handler: string;
  position: number;
  source_key: string;
}

export interface TimersTable {
  id: string;
  due_at: string;
  type: string;
  target: string;
  /** The command to send when due, as a serialized message. */
  command: string;
  created_at: string;
}

export interface ProcessesTable {
  process_type: string;
  process_id: string;
  state: string;
  version: number;
  updated_at: string;
}

export interface Database {
  messages: MessagesTable;
  checkpoints: CheckpointsTable;
  dead_letters: DeadLettersTable;
  parked_messages: ParkedMessagesTable;
  timers: TimersTable;
  processes: ProcessesTable;
}
