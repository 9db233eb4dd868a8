/**
 * Payments' queued commands: refunds sent by the registration process manager (target = payment id).
 * An unknown payment or one that cannot be refunded is refused by the decider: a logged warning,
 * never a dead letter (DOMAIN 3.3).
 */
import type { MessageRegistry } from '../../platform/messages/registry.ts';
import { decideAndAppend, queuedCommandHandler } from '../../platform/processing/commands.ts';
import type { MessageHandler } from '../../platform/processing/handler.ts';
import type { Logger } from '../../platform/processing/logger.ts';
import type { Store } from '../../platform/store/store.ts';
import { paymentAggregate } from './payment.ts';

export const PAYMENTS_COMMANDS = 'payments-commands';

export function paymentsCommandHandler(store: Store, registry: MessageRegistry, logger: Logger): MessageHandler {
  return queuedCommandHandler(
    PAYMENTS_COMMANDS,
    {
      async RefundPayment(command, { tx }) {
        await decideAndAppend(store, registry, tx, paymentAggregate, command.metadata.target!, command);
      },
    },
    logger,
  );
}
