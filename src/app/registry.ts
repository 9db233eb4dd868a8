import { defineConferenceEvents } from '../contexts/conference-management/contract.ts';
import { MessageRegistry } from '../platform/messages/registry.ts';

/** Every message type of the bounded contexts, with its upcasters. */
export function createMessageRegistry(): MessageRegistry {
  const registry = new MessageRegistry();
  defineConferenceEvents(registry);
  return registry;
}
