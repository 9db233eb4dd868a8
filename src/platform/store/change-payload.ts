import type { Change, ChangeTopic } from './dialect.ts';

export const TOPICS: readonly ChangeTopic[] = ['messages', 'timers', 'dead_letters', 'emails', 'read_models', 'maintenance', 'checkpoints'];

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7900;

/**
 * Notification payloads for changes: `topic`, or `topic:key,key,…` split over as many payloads as
 * the keys need. A change whose keys cannot be written (a comma, a key too long) goes without keys,
 * which tells listeners that anything in the topic may have changed.
 */
export function encodeChanges(changes: readonly Change[]): string[] {
  const payloads: string[] = [];
  for (const { topic, keys } of changes) {
    const writable = keys !== undefined && keys.length > 0 && keys.every((key) => key.length > 0 && !key.includes(',') && Buffer.byteLength(key) < MAX_PAYLOAD_BYTES - topic.length - 1);
    if (!writable) {
      payloads.push(topic);
      continue;
    }
    let payload = '';
    for (const key of keys) {
      const next = payload === '' ? `${topic}:${key}` : `${payload},${key}`;
      if (Buffer.byteLength(next) > MAX_PAYLOAD_BYTES) {
        payloads.push(payload);
        payload = `${topic}:${key}`;
      } else {
        payload = next;
      }
    }
    payloads.push(payload);
  }
  return payloads;
}

/** The change a payload of {@link encodeChanges} stands for; undefined for anything else. */
export function decodeChange(payload: string): Change | undefined {
  const colon = payload.indexOf(':');
  const topic = (colon < 0 ? payload : payload.slice(0, colon)) as ChangeTopic;
  if (!TOPICS.includes(topic)) return undefined;
  if (colon < 0) return { topic };
  const keys = payload.slice(colon + 1).split(',').filter((key) => key.length > 0);
  return keys.length > 0 ? { topic, keys } : { topic };
}
