import { MessageRegistry } from '../platform/messages/registry.ts';

/** Every message type of the bounded contexts, with its upcasters (none yet). */
export function createMessageRegistry(): MessageRegistry {
  return new MessageRegistry();
}
