import { defineConferenceEvents } from '../contexts/conference-management/contract.ts';
import { addV1Upcasters } from '../contexts/migration/v1/upcasters.ts';
import { definePaymentCommands } from '../contexts/payments/commands.ts';
import { definePaymentEvents } from '../contexts/payments/contract.ts';
import { defineRegistrationCommands } from '../contexts/registration/commands.ts';
import { defineRegistrationEvents } from '../contexts/registration/contract.ts';
import { MessageRegistry } from '../platform/messages/registry.ts';

/** Every message type of the bounded contexts, with its upcasters. */
export function createMessageRegistry(): MessageRegistry {
  const registry = new MessageRegistry();
  defineConferenceEvents(registry);
  defineRegistrationEvents(registry);
  definePaymentEvents(registry);
  defineRegistrationCommands(registry);
  definePaymentCommands(registry);
  addV1Upcasters(registry);
  return registry;
}
