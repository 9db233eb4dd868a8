import type { LoggedMessage } from '../messages/envelope.ts';
import type { HandlerContext } from './handler.ts';

/** The stream version of an event; stream events always have one. */
export function versionOf(message: LoggedMessage): number {
  const { version } = message.metadata;
  if (version === null) throw new Error(`${message.type} ${message.metadata.messageId} has no version`);
  return version;
}

/**
 * The events of the handled message's stream to apply after version `applied`, in version order, up
 * to the handled one (DOMAIN 5.1): none for a duplicate (P1); for an event that skips versions, the
 * missing ones are read from the stream first (P2), upcast like every delivered message. When the log does not hold them yet, the
 * handler fails and the message is delivered again later.
 */
export async function eventsToApply(context: HandlerContext, applied: number): Promise<LoggedMessage[]> {
  const { message } = context;
  const version = versionOf(message);
  if (version <= applied) return [];
  if (version === applied + 1) return [message];
  const { sourceType, sourceId } = message.metadata;
  const stream = await context.store.readStream({ sourceType, sourceId }, { afterVersion: applied, executor: context.tx.db });
  const events = stream.filter((event) => versionOf(event) < version);
  if (events.some((event, index) => versionOf(event) !== applied + 1 + index) || events.length !== version - applied - 1) {
    throw new Error(`${sourceType} ${sourceId}: versions ${applied + 1}…${version - 1} are not in the log yet; ${message.type} v${version} waits for them`);
  }
  return [...events.map((event) => context.registry.decode(event)), message];
}
